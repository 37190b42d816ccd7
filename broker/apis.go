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
// sorted by key). Ranges follow shared/reference/protocol.md §2 and §4.2.
var apiTable = []api{
	{key: 0, minVersion: 3, maxVersion: 9, handle: (*Broker).handleProduce},
	{key: 1, minVersion: 4, maxVersion: 12, handle: (*Broker).handleFetch},
	{key: 2, minVersion: 1, maxVersion: 6, handle: (*Broker).handleListOffsets},
	{key: 3, minVersion: 0, maxVersion: 11, handle: (*Broker).handleMetadata},
	{key: 4, minVersion: 0, maxVersion: 5, handle: (*Broker).handleLeaderAndIsr},
	{key: 5, minVersion: 0, maxVersion: 3, handle: (*Broker).handleStopReplica},
	{key: 6, minVersion: 0, maxVersion: 7, handle: (*Broker).handleUpdateMetadata},
	{key: 7, minVersion: 0, maxVersion: 3, handle: (*Broker).handleControlledShutdown},
	{key: 8, minVersion: 1, maxVersion: 8, handle: (*Broker).handleOffsetCommit}, // v0 stored offsets in ZooKeeper
	{key: 9, minVersion: 1, maxVersion: 7, handle: (*Broker).handleOffsetFetch},  // v0 read ZooKeeper
	{key: 10, minVersion: 0, maxVersion: 3, handle: (*Broker).handleFindCoordinator},
	{key: 11, minVersion: 0, maxVersion: 7, handle: (*Broker).handleJoinGroup},
	{key: 12, minVersion: 0, maxVersion: 4, handle: (*Broker).handleHeartbeat},
	{key: 13, minVersion: 0, maxVersion: 4, handle: (*Broker).handleLeaveGroup},
	{key: 14, minVersion: 0, maxVersion: 5, handle: (*Broker).handleSyncGroup},
	{key: 15, minVersion: 0, maxVersion: 5, handle: (*Broker).handleDescribeGroups},
	{key: 16, minVersion: 0, maxVersion: 4, handle: (*Broker).handleListGroups},
	{key: 17, minVersion: 0, maxVersion: 1, handle: (*Broker).handleSaslHandshake},
	{key: 18, minVersion: 0, maxVersion: 3, handle: (*Broker).handleAPIVersions},
	{key: 19, minVersion: 0, maxVersion: 7, handle: (*Broker).handleCreateTopics},
	{key: 20, minVersion: 0, maxVersion: 6, handle: (*Broker).handleDeleteTopics},
	{key: 21, minVersion: 0, maxVersion: 2, handle: (*Broker).handleDeleteRecords},
	{key: 22, minVersion: 0, maxVersion: 4, handle: (*Broker).handleInitProducerID},
	{key: 23, minVersion: 0, maxVersion: 4, handle: (*Broker).handleOffsetForLeaderEpoch},
	{key: 32, minVersion: 0, maxVersion: 4, handle: (*Broker).handleDescribeConfigs},
	{key: 33, minVersion: 0, maxVersion: 2, handle: (*Broker).handleAlterConfigs},
	{key: 35, minVersion: 0, maxVersion: 2, handle: (*Broker).handleDescribeLogDirs},
	{key: 37, minVersion: 0, maxVersion: 3, handle: (*Broker).handleCreatePartitions},
	{key: 42, minVersion: 0, maxVersion: 2, handle: (*Broker).handleDeleteGroups},
	{key: 43, minVersion: 0, maxVersion: 2, handle: (*Broker).handleElectLeaders},
	{key: 44, minVersion: 0, maxVersion: 1, handle: (*Broker).handleIncrementalAlterConfigs},
	{key: 45, minVersion: 0, maxVersion: 0, handle: (*Broker).handleAlterPartitionReassignments},
	{key: 46, minVersion: 0, maxVersion: 0, handle: (*Broker).handleListPartitionReassignments},
	{key: 47, minVersion: 0, maxVersion: 0, handle: (*Broker).handleOffsetDelete},
	{key: 48, minVersion: 0, maxVersion: 1, handle: (*Broker).handleDescribeClientQuotas},
	{key: 49, minVersion: 0, maxVersion: 1, handle: (*Broker).handleAlterClientQuotas},
	{key: 60, minVersion: 0, maxVersion: 0, handle: (*Broker).handleDescribeCluster},
}

// apiIndex maps a key to its row; built once from apiTable.
var apiIndex = func() map[int16]*api {
	m := make(map[int16]*api, len(apiTable))
	for i := range apiTable {
		m[apiTable[i].key] = &apiTable[i]
	}
	return m
}()

// lookupAPI returns the row for key, or nil.
func lookupAPI(key int16) *api { return apiIndex[key] }
