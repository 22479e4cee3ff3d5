package shadow

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vaksam/vaksam/rules"
)

// PromotedDir is where, in the data directory, a promoted pack is kept.
// When it holds a pack, serve runs it in place of rule_path and the
// built-in pack (PromotedPath).
func PromotedDir(data string) string { return filepath.Join(data, "rules", "promoted") }

// PromotedPath returns the promoted pack of the data directory, or ""
// when there is none.
func PromotedPath(data string) string {
	if data == "" {
		return ""
	}
	dir := PromotedDir(data)
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// keepPack copies the pack at path (a file, or a directory's pack files)
// into dir, replacing what was there, once the copy compiles to version
// with ov; until then dir is left as it was. Until done or undo is
// called, the previous pack waits beside it: undo puts it back, done
// removes it.
func keepPack(path, dir, version string, ov rules.Overrides) (done, undo func() error, err error) {
	if err := copyPack(path, dir, version, ov); err != nil {
		return nil, nil, err
	}
	old := dir + ".old"
	done = func() error { return os.RemoveAll(old) }
	undo = func() error {
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := os.Rename(old, dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	return done, undo, nil
}

// copyPack puts the pack at path into dir, keeping what was there in
// dir.old.
func copyPack(path, dir, version string, ov rules.Overrides) error {
	if path == "" {
		return errors.New("the candidate has no files to keep")
	}
	files := map[string]string{} // name in dir → source
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("keep the pack: %w", err)
	}
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("keep the pack: %w", err)
		}
		for _, e := range entries {
			n := e.Name()
			if !e.IsDir() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) {
				files[n] = filepath.Join(path, n)
			}
		}
	} else {
		files[filepath.Base(path)] = path
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("keep the pack: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".promoting-")
	if err != nil {
		return fmt.Errorf("keep the pack: %w", err)
	}
	defer os.RemoveAll(tmp)
	for name, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("keep the pack: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			return fmt.Errorf("keep the pack: %w", err)
		}
	}
	set, err := rules.LoadPath(tmp, ov)
	if err != nil {
		return fmt.Errorf("keep the pack: the copy does not load: %w", err)
	}
	if set.Version() != version {
		return fmt.Errorf("keep the pack: the files at %s are now %s, not the candidate %s", path, set.Version(), version)
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("keep the pack: %w", err)
	}
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("keep the pack: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir) // the previous promoted pack stays
		return fmt.Errorf("keep the pack: %w", err)
	}
	return nil
}
