package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

// TestBundle checks the tarball `./build.sh dist` writes is what System Console accepts:
// one top folder named after the plugin id, a valid manifest, every executable it names
// built for the right OS and CPU (all five for `make dist`, this machine's for the tests),
// the component once beside them (not inside each), the webapp bundle and the icons.
// YCAL_BUNDLE names it (the Makefile sets it); without it there is nothing to check.
func TestBundle(t *testing.T) {
	path := os.Getenv("YCAL_BUNDLE")
	if path == "" {
		t.Skip("YCAL_BUNDLE not set: run `make test`, which builds the bundle first")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 50 << 20 // Mattermost's default upload limit
	if info.Size() > limit {
		t.Errorf("bundle is %d bytes, over the 50 MiB upload limit", info.Size())
	}
	t.Logf("bundle size: %d bytes", info.Size())

	dir := t.TempDir()
	top := extract(t, path, dir)
	root := filepath.Join(dir, top)
	manifest, _, err := model.FindManifest(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := manifest.IsValid(); err != nil {
		t.Fatalf("manifest invalid: %v", err)
	}
	if top != manifest.Id {
		t.Errorf("top folder %q, plugin id %q", top, manifest.Id)
	}
	if !strings.HasSuffix(filepath.Base(path), manifest.Id+"-"+manifest.Version+".tar.gz") {
		t.Errorf("bundle name %s does not carry id and version", filepath.Base(path))
	}
	if manifest.MinServerVersion == "" || manifest.SettingsSchema == nil || len(manifest.SettingsSchema.Settings) < 4 {
		t.Errorf("manifest lacks min_server_version or settings: %+v", manifest)
	}
	want := map[string]struct{ os, arch string }{
		"linux-amd64": {"linux", "amd64"}, "linux-arm64": {"linux", "arm64"},
		"darwin-amd64": {"darwin", "amd64"}, "darwin-arm64": {"darwin", "arm64"},
		"windows-amd64": {"windows", "amd64"},
	}
	if len(manifest.Server.Executables) == 0 {
		t.Errorf("no executables: %v", manifest.Server)
	}
	wasm, err := os.ReadFile(filepath.Join(root, wasmPath))
	if err != nil || len(wasm) < 1024 || string(wasm[:4]) != "\x00asm" {
		t.Fatalf("the component is not at %s: %v", wasmPath, err)
	}
	t.Logf("component: %d bytes, once", len(wasm))
	for platform, exe := range manifest.Server.Executables {
		w, ok := want[platform]
		if !ok {
			t.Errorf("unexpected platform %s", platform)
			continue
		}
		checkBinary(t, filepath.Join(root, exe), w.os, w.arch)
		if b, err := os.ReadFile(filepath.Join(root, exe)); err == nil && bytes.Contains(b, wasm[len(wasm)/2:len(wasm)/2+512]) {
			t.Errorf("%s embeds the component too", exe)
		}
	}
	for _, f := range []string{manifest.Webapp.BundlePath, manifest.IconPath, "assets/icon.png"} {
		if st, err := os.Stat(filepath.Join(root, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	js, _ := os.ReadFile(filepath.Join(root, manifest.Webapp.BundlePath))
	if !strings.Contains(string(js), `registerPlugin`) || !strings.Contains(string(js), manifest.Id) {
		t.Error("webapp bundle does not register the plugin under its id")
	}
}

// extract unpacks the tarball and returns its single top-level folder.
func extract(t *testing.T, path, dir string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	tops := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Clean(h.Name)
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			t.Fatalf("unsafe path in bundle: %s", h.Name)
		}
		tops[strings.Split(name, string(filepath.Separator))[0]] = true
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			_ = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			_ = os.MkdirAll(filepath.Dir(target), 0o755)
			out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, os.FileMode(h.Mode))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(out, tr); err != nil {
				t.Fatal(err)
			}
			out.Close()
		}
	}
	if len(tops) != 1 {
		t.Fatalf("bundle has %d top-level entries, want 1: %v", len(tops), tops)
	}
	for top := range tops {
		return top
	}
	return ""
}

func checkBinary(t *testing.T, path, goos, goarch string) {
	t.Helper()
	switch goos {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		defer f.Close()
		m := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}
		if f.Machine != m[goarch] {
			t.Errorf("%s: machine %v", path, f.Machine)
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		defer f.Close()
		m := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}
		if f.Cpu != m[goarch] {
			t.Errorf("%s: cpu %v", path, f.Cpu)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		defer f.Close()
		if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
			t.Errorf("%s: machine %#x", path, f.Machine)
		}
	}
	if st, err := os.Stat(path); err == nil && st.Mode()&0o111 == 0 && goos != "windows" {
		t.Errorf("%s is not executable", path)
	}
}
