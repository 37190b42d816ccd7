package broker

// Placeholders that keep the package compiling while its parts are written.
// conn and pending belong to network.go/conn.go; FetchResult to fetch_writer.go.
// Whoever adds the real type deletes it here.

type conn struct{}

func (c *conn) complete(r *Request, p pending) {}

type pending struct {
	resp     interface{}
	fetch    *FetchResult
	none     bool
	closeErr error
}

type Broker struct{}
