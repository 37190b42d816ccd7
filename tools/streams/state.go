package streams

// State is a KafkaStreams instance's lifecycle state, as Kafka's
// KafkaStreams.State (2.8):
//
//	CREATED -> REBALANCING | PENDING_SHUTDOWN
//	REBALANCING -> RUNNING | PENDING_SHUTDOWN | PENDING_ERROR
//	RUNNING -> REBALANCING | PENDING_SHUTDOWN | PENDING_ERROR
//	PENDING_SHUTDOWN -> NOT_RUNNING
//	PENDING_ERROR -> ERROR
type State int

// The states, in Kafka's order.
const (
	StateCreated State = iota
	StateRebalancing
	StateRunning
	StatePendingShutdown
	StateNotRunning
	StatePendingError
	StateError
)

var stateNames = [...]string{"CREATED", "REBALANCING", "RUNNING", "PENDING_SHUTDOWN", "NOT_RUNNING", "PENDING_ERROR", "ERROR"}

// String is Kafka's name: CREATED, REBALANCING, ...
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "UNKNOWN"
	}
	return stateNames[s]
}

// IsRunningOrRebalancing is Kafka's State.isRunningOrRebalancing.
func (s State) IsRunningOrRebalancing() bool { return s == StateRunning || s == StateRebalancing }

// validTransition is Kafka's State.isValidTransition.
func (s State) validTransition(to State) bool {
	switch s {
	case StateCreated:
		return to == StateRebalancing || to == StatePendingShutdown
	case StateRebalancing:
		return to == StateRunning || to == StatePendingShutdown || to == StatePendingError
	case StateRunning:
		return to == StateRebalancing || to == StatePendingShutdown || to == StatePendingError
	case StatePendingShutdown:
		return to == StateNotRunning
	case StatePendingError:
		return to == StateError
	}
	return false
}
