package kami

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// MachineCodeEnv is the environment variable that pins the machine code (containers, CI, cloned VMs).
const MachineCodeEnv = "KAMI_MACHINE_CODE"

// DefaultMachineCodeSalt is the salt of MachineCodeOptions when none is set.
const DefaultMachineCodeSalt = "kami-verify"

// MachineCodeOptions configures MachineCode.
type MachineCodeOptions struct {
	// Salt is app-specific, e.g. your app's name: the same machine yields unrelated codes for
	// different salts, so two vendors cannot link their users. Default DefaultMachineCodeSalt.
	Salt string
	// Override is used as is (trimmed) and wins over everything else.
	Override string
	// SHA256 gives 64 hex characters instead of md5's 32 (the official SDKs' shape, the default).
	SHA256 bool
	// Getenv reads MachineCodeEnv. Default os.Getenv.
	Getenv func(string) string
}

var (
	rawIDOnce sync.Once
	rawID     string
)

// MachineCode returns a machine code for Login: stable across runs and reboots, derived from the
// OS machine id (Linux /etc/machine-id, macOS IOPlatformUUID, Windows MachineGuid), else the
// first hardware MAC, else the hostname; HMAC'd with the salt so the raw id never leaves the
// machine. Uppercase hex. KAMI_MACHINE_CODE (or Override) pins it. The same machine and salt give
// the same code as the Node SDK.
func MachineCode(opts MachineCodeOptions) (string, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, pin := range []struct{ field, value string }{{"override", opts.Override}, {MachineCodeEnv, getenv(MachineCodeEnv)}} {
		if v := strings.TrimSpace(pin.value); v != "" {
			if strings.Contains(v, "'") {
				return "", validationError(pin.field, pin.field+" must not contain ' (机器码不合法,因为存在'号)")
			}
			return v, nil
		}
	}
	// The OS id cannot change while the process runs: probe once.
	rawIDOnce.Do(func() { rawID = readRawMachineID(osReaders()) })
	return saltedMachineCode(rawID, opts), nil
}

func saltedMachineCode(raw string, opts MachineCodeOptions) string {
	salt := opts.Salt
	if salt == "" {
		salt = DefaultMachineCodeSalt
	}
	newHash := func() hash.Hash { return md5.New() }
	if opts.SHA256 {
		newHash = sha256.New
	}
	m := hmac.New(newHash, []byte(salt))
	m.Write([]byte(raw))
	return strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
}

// machineReaders is everything the machine code reads from the OS, injectable for tests.
type machineReaders struct {
	goos       string
	readFile   func(path string) string
	run        func(name string, args ...string) string
	interfaces func() []net.Interface
	hostname   func() string
}

func osReaders() machineReaders {
	return machineReaders{
		goos: runtime.GOOS,
		readFile: func(path string) string {
			b, _ := os.ReadFile(path)
			return string(b)
		},
		run: func(name string, args ...string) string {
			// Probing must never hang an app's start-up: a wedged ioreg or reg gets two seconds.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			out, _ := exec.CommandContext(ctx, name, args...).Output()
			return string(out)
		},
		interfaces: func() []net.Interface { list, _ := net.Interfaces(); return list },
		hostname:   func() string { h, _ := os.Hostname(); return h },
	}
}

var (
	machineIDPattern = regexp.MustCompile(`^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	ioregPattern     = regexp.MustCompile(`"IOPlatformUUID"\s*=\s*"([^"]+)"`)
	regPattern       = regexp.MustCompile(`MachineGuid\s+REG_SZ\s+([0-9a-fA-F-]{32,36})`)
)

// parseMachineIDFile accepts 32 hex or a UUID, not the all-zero placeholder of unbooted images.
func parseMachineIDFile(text string) string {
	v := strings.ToLower(strings.TrimSpace(text))
	if !machineIDPattern.MatchString(v) || strings.Trim(v, "0-") == "" {
		return ""
	}
	return v
}

func readRawMachineID(r machineReaders) string {
	switch r.goos {
	case "darwin":
		if m := ioregPattern.FindStringSubmatch(r.run("ioreg", "-rd1", "-c", "IOPlatformExpertDevice")); m != nil {
			return strings.ToLower(strings.TrimSpace(m[1]))
		}
	case "windows":
		// /reg:64 reads the 64-bit view even from a 32-bit process.
		out := r.run("reg", "query", `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Cryptography`, "/v", "MachineGuid", "/reg:64")
		if m := regPattern.FindStringSubmatch(out); m != nil {
			return strings.ToLower(m[1])
		}
	default:
		for _, path := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id", "/etc/hostid"} {
			if id := parseMachineIDFile(r.readFile(path)); id != "" {
				return id
			}
		}
	}
	if mac := pickMAC(r.interfaces()); mac != "" {
		return mac
	}
	if h := strings.ToLower(strings.TrimSpace(r.hostname())); h != "" {
		return h
	}
	return "localhost"
}

// pickMAC is the MAC the official SDKs hash, made stable: not loopback, non-zero, interfaces
// sorted by name, universally administered addresses first (locally administered ones are what
// Docker, VPNs and Wi-Fi privacy randomise).
func pickMAC(interfaces []net.Interface) string {
	list := append([]net.Interface(nil), interfaces...)
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	local := ""
	for _, it := range list {
		mac := it.HardwareAddr
		if it.Flags&net.FlagLoopback != 0 || len(mac) != 6 || mac.String() == "00:00:00:00:00:00" {
			continue
		}
		if mac[0]&2 == 0 {
			return mac.String()
		}
		if local == "" {
			local = mac.String()
		}
	}
	return local
}
