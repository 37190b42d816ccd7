package log

import (
	"os"
	"path/filepath"
)

// writeFileAtomic writes data to path+".tmp", fsyncs it, renames it over
// path and fsyncs the directory, so a crash leaves either the old or the
// new file (Kafka's CheckpointFile).
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return storageErr("write "+tmp, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return storageErr("write "+tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return storageErr("fsync "+tmp, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return storageErr("close "+tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return storageErr("rename "+tmp, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return storageErr("open dir", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return storageErr("fsync dir "+dir, err)
	}
	return nil
}
