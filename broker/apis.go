package broker

// api is one row of the API table: the single source for both dispatch and
// the ApiVersions answer. Only versions whose semantics are implemented are
// advertised (clients use min(their max, our max) per API).
type api struct {
	key        int16
	minVersion int16
	maxVersion int16
	handle     func(b *Broker, r *Request)
}

// apiTable lists every API this broker answers, by key. Keys not listed get
// the connection closed, as Kafka does for unknown or disabled APIs.
//
// Owners add their rows here when their handler file lands (keep the table
// sorted by key).
var apiTable = []api{
	// {key: 18, minVersion: 0, maxVersion: 3, handle: (*Broker).handleAPIVersions},
}

// lookupAPI returns the row for key, or nil.
func lookupAPI(key int16) *api {
	for i := range apiTable {
		if apiTable[i].key == key {
			return &apiTable[i]
		}
	}
	return nil
}
