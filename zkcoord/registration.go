package zkcoord

import (
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"
)

// PersistentPaths are the znodes every broker makes sure exist at startup
// (zookeeper.md §1).
var PersistentPaths = []string{
	ConsumersPath,
	BrokerIDsPath,
	BrokerTopicsPath,
	BrokerSeqIDPath,
	ConfigChangesPath,
	ConfigPath + "/" + ConfigTypeTopic,
	ConfigPath + "/" + ConfigTypeClient,
	ConfigPath + "/" + ConfigTypeUser,
	ConfigPath + "/" + ConfigTypeBroker,
	ConfigPath + "/" + ConfigTypeIP,
	DeleteTopicsPath,
	IsrChangeNotificationPath,
	ProducerIDBlockPath,
	LogDirEventNotificationPath,
}

// CreateTopLevelPaths creates the missing PersistentPaths.
func (c *Client) CreateTopLevelPaths() error {
	for _, p := range PersistentPaths {
		if err := c.EnsurePath(p); err != nil {
			return err
		}
	}
	return nil
}

// BrokerIDExistsError means another ZooKeeper session owns /brokers/ids/N:
// a second broker with the same broker.id. Its message is Kafka's
// NodeExistsException's; errors.Is(err, ErrNodeExists) holds.
type BrokerIDExistsError struct {
	ID    int32
	Owner int64 // the other session
}

func (e *BrokerIDExistsError) Error() string {
	return "KeeperErrorCode = NodeExists for " + BrokerIDPath(e.ID)
}
func (e *BrokerIDExistsError) Unwrap() error { return ErrNodeExists }

// RegisterBroker creates the ephemeral /brokers/ids/N as Kafka 2.8 does: one
// multi of an empty ephemeral create and a setData with the JSON (so the node
// ends at data version 1). It returns the broker epoch, the node's czxid. A
// node already owned by this session counts as success; one owned by another
// session is a *BrokerIDExistsError.
func (c *Client) RegisterBroker(info BrokerInfo) (int64, error) {
	p := BrokerIDPath(info.ID)
	data := info.Encode()
	res, err := c.Multi(CreateOp(p, nil, Ephemeral), SetDataOp(p, data, -1))
	if err == nil {
		epoch := res[1].Stat.Czxid
		c.lg.Named("kafka.zk.KafkaZkClient").Info(fmt.Sprintf("Registered broker %d at path %s with addresses: %s, czxid (broker epoch): %d",
			info.ID, p, endpointsString(info.Endpoints), epoch))
		return epoch, nil
	}
	if !errors.Is(err, ErrNodeExists) {
		return 0, err
	}
	_, st, gerr := c.Get(p)
	if gerr != nil {
		if errors.Is(gerr, ErrNoNode) { // vanished meanwhile: try once more
			return c.RegisterBroker(info)
		}
		return 0, gerr
	}
	if st.EphemeralOwner == c.SessionID() {
		return st.Czxid, nil
	}
	c.lg.Named("kafka.zk.KafkaZkClient").Error(fmt.Sprintf("Error while creating ephemeral at %s, node already exists and owner '%d' does not match current session '%d'",
		p, st.EphemeralOwner, c.SessionID()))
	return 0, &BrokerIDExistsError{ID: info.ID, Owner: st.EphemeralOwner}
}

// endpointsString renders endpoints as Kafka's log line shows its Seq[EndPoint].
func endpointsString(eps []EndPoint) string {
	parts := make([]string, len(eps))
	for i, e := range eps {
		parts[i] = fmt.Sprintf("EndPoint(%s,%d,ListenerName(%s),%s)", e.Host, e.Port, e.ListenerName, e.SecurityProtocol)
	}
	return "ArrayBuffer(" + strings.Join(parts, ", ") + ")"
}

// Brokers returns the registered (live) brokers sorted by id, each with its
// epoch.
func (c *Client) Brokers() ([]BrokerInfo, error) {
	ids, err := c.BrokerIDs()
	if err != nil {
		return nil, err
	}
	out := make([]BrokerInfo, 0, len(ids))
	for _, id := range ids {
		b, err := c.Broker(id)
		if errors.Is(err, ErrNoNode) {
			continue // went away meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// BrokerIDs returns the ids under /brokers/ids, ascending.
func (c *Client) BrokerIDs() ([]int32, error) {
	kids, err := c.Children(BrokerIDsPath)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseIDs(kids), nil
}

// Broker reads one registration; Epoch is the node's czxid.
func (c *Client) Broker(id int32) (BrokerInfo, error) {
	data, st, err := c.Get(BrokerIDPath(id))
	if err != nil {
		return BrokerInfo{}, err
	}
	b, err := DecodeBrokerInfo(id, data)
	b.Epoch = st.Czxid
	return b, err
}

// GetOrCreateClusterID reads /cluster/id, creating it with a fresh id when
// absent (the first broker ever to start does).
func (c *Client) GetOrCreateClusterID() (string, error) {
	data, _, err := c.Get(ClusterIDPath)
	if err == nil {
		return DecodeClusterID(data)
	}
	if !errors.Is(err, ErrNoNode) {
		return "", err
	}
	id := NewClusterID()
	err = c.CreateRecursive(ClusterIDPath, EncodeClusterID(id))
	if errors.Is(err, ErrNodeExists) { // another broker won the race
		return c.GetOrCreateClusterID()
	}
	if err != nil {
		return "", err
	}
	return id, nil
}

// GenerateBrokerID returns reservedMax + the new data version of
// /brokers/seqid after a blind setData: 1001 first with the default
// reserved.broker.max.id=1000.
func (c *Client) GenerateBrokerID(reservedMax int32) (int32, error) {
	st, err := c.Set(BrokerSeqIDPath, nil, -1)
	if errors.Is(err, ErrNoNode) {
		if err := c.EnsurePath(BrokerSeqIDPath); err != nil {
			return 0, err
		}
		st, err = c.Set(BrokerSeqIDPath, nil, -1)
	}
	if err != nil {
		return 0, fmt.Errorf("zkcoord: failed to generate broker.id due to %w", err)
	}
	return reservedMax + st.Version, nil
}

// AllocateProducerIDBlock claims the next block of 1000 producer ids for
// brokerID with a conditional update of /latest_producer_id_block, retrying
// on conflicts. start and end are inclusive.
func (c *Client) AllocateProducerIDBlock(brokerID int32) (start, end int64, err error) {
	for {
		data, st, err := c.Get(ProducerIDBlockPath)
		if errors.Is(err, ErrNoNode) {
			if err := c.EnsurePath(ProducerIDBlockPath); err != nil {
				return 0, 0, err
			}
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		next := ProducerIDBlock{BrokerID: brokerID, Start: 0, End: ProducerIDBlockSize - 1}
		if len(data) > 0 {
			cur, err := DecodeProducerIDBlock(data)
			if err != nil {
				return 0, 0, err
			}
			if cur.End > (1<<63-1)-ProducerIDBlockSize {
				return 0, 0, errors.New("zkcoord: exhausted all producer ids")
			}
			next.Start, next.End = cur.End+1, cur.End+ProducerIDBlockSize
		}
		_, err = c.Set(ProducerIDBlockPath, next.Encode(), st.Version)
		if errors.Is(err, ErrBadVersion) {
			c.lg.Debug("producer id block conflict, retrying", zap.Int32("broker_id", brokerID))
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		c.lg.Info(fmt.Sprintf("Acquired new producerId block (brokerId:%d,blockStartProducerId:%d,blockEndProducerId:%d) by writing to Zk with path version %d",
			brokerID, next.Start, next.End, st.Version+1))
		return next.Start, next.End, nil
	}
}
