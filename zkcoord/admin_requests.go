package zkcoord

import "errors"

// Legacy admin requests through ZooKeeper, still obeyed by a 2.8 controller.

// ReassignPartitionsRequest reads /admin/reassign_partitions; ok is false
// when no request is pending.
func (c *Client) ReassignPartitionsRequest() (r ReassignPartitions, zkVersion int32, ok bool, err error) {
	data, st, err := c.Get(ReassignPartitionsPath)
	if errors.Is(err, ErrNoNode) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	r, err = DecodeReassignPartitions(data)
	return r, st.Version, err == nil, err
}

// CreateReassignPartitions writes a new reassignment request; ErrNodeExists
// when one is already running (the tool then says "There is an existing
// assignment running.").
func (c *Client) CreateReassignPartitions(r ReassignPartitions) error {
	return c.CreateRecursive(ReassignPartitionsPath, r.Encode())
}

// PreferredReplicaElectionRequest reads /admin/preferred_replica_election.
func (c *Client) PreferredReplicaElectionRequest() ([]TopicPartition, bool, error) {
	data, _, err := c.Get(PreferredReplicaElectionPath)
	if errors.Is(err, ErrNoNode) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	tps, err := DecodePreferredReplicaElection(data)
	return tps, err == nil, err
}

// CreatePreferredReplicaElection writes a preferred-leader election request;
// ErrNodeExists when one is pending.
func (c *Client) CreatePreferredReplicaElection(tps []TopicPartition) error {
	return c.CreateRecursive(PreferredReplicaElectionPath, EncodePreferredReplicaElection(tps))
}
