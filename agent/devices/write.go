package devices

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	profiles "github.com/jxc-edge/jxc/firmware-configs"
)

// ManagedProfile is a profile file someone else (the cloud) owns in the
// profiles folder: Name is its file name, Body its content; a Deleted one
// is a file to remove.
type ManagedProfile struct {
	Name    string
	Body    []byte
	Deleted bool
}

// WriteProfiles makes the managed profiles of dir what ps says and reports
// whether a file changed. Files of dir that no profile of ps names are
// left alone. It first validates the whole resulting folder with
// firmware-configs (profiles.ParseFiles: every file, and the rules between
// files, such as a name or reader address used twice); when that fails it
// changes nothing and returns the errors, matching profiles.ErrInvalid,
// each with file, field and line. Otherwise it removes the deleted
// profiles' files, then writes each new or changed one atomically (a
// temporary dot-file in dir, which LoadDir skips, fsynced and renamed over
// the name) and fsyncs dir. A reload that runs in between may see some
// files changed and not others, and finds the set it left once done.
func WriteProfiles(dir string, ps []ManagedProfile) (changed bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("write profiles: %w", err)
	}
	cur := make(map[string][]byte)
	for _, e := range entries {
		if e.IsDir() || !profiles.IsProfileFile(e.Name()) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return false, fmt.Errorf("write profiles: %w", err)
		}
		cur[e.Name()] = data
	}
	next := make(map[string][]byte, len(cur)+len(ps))
	for n, d := range cur {
		next[n] = d
	}
	var remove, write []string
	for _, p := range ps {
		if err := profiles.CheckFileName(p.Name); err != nil {
			return false, fmt.Errorf("write profiles: %w", err)
		}
		old, ok := cur[p.Name]
		switch {
		case p.Deleted && ok:
			delete(next, p.Name)
			remove = append(remove, p.Name)
		case !p.Deleted && (!ok || !bytes.Equal(old, p.Body)):
			next[p.Name] = p.Body
			write = append(write, p.Name)
		}
	}
	if len(remove) == 0 && len(write) == 0 {
		return false, nil
	}
	if _, err := profiles.ParseFiles(next); err != nil {
		return false, fmt.Errorf("write profiles: %w", err)
	}
	sort.Strings(write)
	for _, n := range remove {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return true, fmt.Errorf("write profiles: %w", err)
		}
	}
	for _, n := range write {
		if err := writeAtomic(dir, n, next[n]); err != nil {
			return true, fmt.Errorf("write profiles: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return true, fmt.Errorf("write profiles: %w", err)
	}
	return true, nil
}

// writeAtomic replaces dir/name by data: written to a temporary file in
// dir, fsynced, renamed.
func writeAtomic(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// syncDir fsyncs dir, so renames and removals in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
