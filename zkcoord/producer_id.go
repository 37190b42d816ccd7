package zkcoord

import "encoding/json"

// ProducerIDBlockPath holds the last allocated block of producer ids.
const ProducerIDBlockPath = "/latest_producer_id_block"

// ProducerIDBlockSize is the number of ids a broker claims at once.
const ProducerIDBlockSize = 1000

// ProducerIDBlock is the content of /latest_producer_id_block; start and end
// are inclusive.
type ProducerIDBlock struct {
	BrokerID int32
	Start    int64
	End      int64
}

type producerIDBlockJSON struct {
	Version int       `json:"version"`
	Broker  int32     `json:"broker"`
	Start   jsonInt64 `json:"block_start"`
	End     jsonInt64 `json:"block_end"`
}

// Encode returns e.g. {"version":1,"broker":0,"block_start":"0","block_end":"999"}
// (start and end are strings).
func (b ProducerIDBlock) Encode() []byte {
	out, _ := json.Marshal(producerIDBlockJSON{Version: 1, Broker: b.BrokerID, Start: jsonInt64(b.Start), End: jsonInt64(b.End)})
	return out
}

// DecodeProducerIDBlock parses /latest_producer_id_block.
func DecodeProducerIDBlock(data []byte) (ProducerIDBlock, error) {
	var j producerIDBlockJSON
	if err := decodeJSON(ProducerIDBlockPath, data, &j); err != nil {
		return ProducerIDBlock{}, err
	}
	return ProducerIDBlock{BrokerID: j.Broker, Start: int64(j.Start), End: int64(j.End)}, nil
}
