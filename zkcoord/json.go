package zkcoord

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// jsonInt64 is an int64 that Kafka writes as a JSON string ("timestamp":"1620000000000")
// but that readers accept as a string or a number.
type jsonInt64 int64

func (v jsonInt64) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatInt(int64(v), 10))
}

func (v *jsonInt64) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if s == "null" {
		*v = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("zkcoord: not an integer: %s", b)
	}
	*v = jsonInt64(n)
	return nil
}

// jsonVersion is a znode's "version" field: a number everywhere except
// /cluster/id, where Kafka writes the string "1". Readers accept both.
type jsonVersion int

func (v *jsonVersion) UnmarshalJSON(b []byte) error {
	var n jsonInt64
	if err := n.UnmarshalJSON(b); err != nil {
		return err
	}
	*v = jsonVersion(n)
	return nil
}

// partitionMap is a JSON object keyed by decimal partition numbers, as in
// {"0":[1,2],"1":[2,0]}.
type partitionMap map[string][]int32

func toPartitionMap(m map[int32][]int32) partitionMap {
	out := make(partitionMap, len(m))
	for p, r := range m {
		if r == nil {
			r = []int32{}
		}
		out[strconv.Itoa(int(p))] = r
	}
	return out
}

func (pm partitionMap) decode() (map[int32][]int32, error) {
	out := make(map[int32][]int32, len(pm))
	for k, r := range pm {
		p, err := strconv.ParseInt(k, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("zkcoord: bad partition key %q", k)
		}
		out[int32(p)] = r
	}
	return out, nil
}

func decodeJSON(path string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("zkcoord: decoding %s: %w", path, err)
	}
	return nil
}
