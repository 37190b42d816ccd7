package streams

import "testing"

// The store keeps bytes by key bytes; a nil value is a tombstone (as a
// changelog record with a null value is when restoring); All walks keys in
// byte order.
func TestKeyValueStore(t *testing.T) {
	s := newKeyValueStore("s")
	s.Put([]byte("b"), []byte("2"))
	s.Put([]byte("a"), []byte("1"))
	s.Put([]byte("c"), []byte("3"))
	s.Put([]byte("c"), nil)
	if got := string(s.Get([]byte("a"))); got != "1" {
		t.Errorf("Get(a) = %q", got)
	}
	if s.Get([]byte("c")) != nil || s.Len() != 2 {
		t.Errorf("tombstone did not delete: len %d", s.Len())
	}
	var keys string
	s.All(func(k, v []byte) { keys += string(k) + "=" + string(v) + " " })
	if keys != "a=1 b=2 " {
		t.Errorf("All: %q", keys)
	}
	s.Delete([]byte("a"))
	if s.Get([]byte("a")) != nil {
		t.Error("Delete(a) left a value")
	}
}
