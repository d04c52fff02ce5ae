package kami

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks of login and heartbeat through the SDK against raw net/http sending the same bytes
// to the same real server. The raw side builds each body when it sends it, as any client must
// (t is the current second, the safe_code fresh, the md5 signature, the form encoding), reads the
// reply and checks nothing. The ratio thus shows the SDK's own work: reply verification (token,
// statecode, clock, safe_code), typed results, failover and deadlines.
//
// bench/languages/go.mjs starts the bench target server and passes it in KAMI_BENCH_*; without
// those the benchmarks start a server through the test harness.

type benchTarget struct {
	url, appKey, card string
	routes            Routes
}

func benchServer(b *testing.B) benchTarget {
	if url := os.Getenv("KAMI_BENCH_URL"); url != "" {
		var routes Routes
		if err := json.Unmarshal([]byte(os.Getenv("KAMI_BENCH_ROUTES")), &routes); err != nil {
			b.Fatal(err)
		}
		return benchTarget{url, os.Getenv("KAMI_BENCH_APPKEY"), os.Getenv("KAMI_BENCH_CARD"), routes}
	}
	srv := sharedPlainServer(b)
	return benchTarget{srv.URL, srv.App.AppKey, srv.card(nil), srv.App.Routes}
}

const benchIMEI = "BENCH-DEVICE"

// rawClient has the same pool settings as the SDK's default client.
func rawClient() *http.Client { return defaultHTTPClient() }

func rawBody(appKey string, params ...Param) string {
	fields := append([]Param(nil), params...)
	fields = append(fields, Param{"t", strconv.FormatInt(time.Now().Unix(), 10)})
	return formBody(append(fields, Param{"s", md5Hex(signText(fields, appKey))}))
}

func rawPost(b *testing.B, h *http.Client, url, body, mustContain string) {
	resp, err := h.Post(url, "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(data), mustContain) {
		b.Fatalf("raw call failed: %s %v", data, err)
	}
}

func rawLogin(b *testing.B, h *http.Client, s benchTarget) {
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	body := rawBody(s.appKey, Param{"kami", s.card}, Param{"imei", benchIMEI}, Param{"safe_code", hex.EncodeToString(nonce[:])})
	rawPost(b, h, s.url+"/"+s.routes[EndpointLogin], body, `"statecode"`)
}

func rawHeartbeat(b *testing.B, h *http.Client, s benchTarget, statecode string) {
	rawPost(b, h, s.url+"/"+s.routes[EndpointHeartbeat], rawBody(s.appKey, Param{"statecode", statecode}), `"time"`)
}

func benchClient(b *testing.B, s benchTarget) *Client {
	c, err := New(s.url, s.appKey, s.routes)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.Close)
	return c
}

func BenchmarkLogin(b *testing.B) {
	s := benchServer(b)
	raw := func(b *testing.B) {
		h := rawClient()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			rawLogin(b, h, s)
		}
	}
	sdk := func(b *testing.B) {
		c := benchClient(b, s)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.Login(context.Background(), s.card, benchIMEI); err != nil {
				b.Fatal(err)
			}
		}
	}
	sides(b, raw, sdk)
}

func BenchmarkHeartbeat(b *testing.B) {
	s := benchServer(b)
	raw := func(b *testing.B) {
		statecode := benchLogin(b, s)
		h := rawClient()
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			rawHeartbeat(b, h, s, statecode)
		}
	}
	sdk := func(b *testing.B) {
		statecode := benchLogin(b, s)
		c := benchClient(b, s)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := c.Heartbeat(context.Background(), statecode, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	sides(b, raw, sdk)
}

// The same, 32 goroutines at a time.
const benchConcurrency = 32

func BenchmarkLoginParallel(b *testing.B) {
	s := benchServer(b)
	raw := func(b *testing.B) {
		h := rawClient()
		b.ReportAllocs()
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rawLogin(b, h, s)
			}
		})
	}
	sdk := func(b *testing.B) {
		c := benchClient(b, s)
		b.ReportAllocs()
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Login(context.Background(), s.card, benchIMEI); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	sides(b, raw, sdk)
}

func BenchmarkHeartbeatParallel(b *testing.B) {
	s := benchServer(b)
	raw := func(b *testing.B) {
		statecode := benchLogin(b, s)
		h := rawClient()
		b.ReportAllocs()
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				rawHeartbeat(b, h, s, statecode)
			}
		})
	}
	sdk := func(b *testing.B) {
		statecode := benchLogin(b, s)
		c := benchClient(b, s)
		b.ReportAllocs()
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Heartbeat(context.Background(), statecode, ""); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	sides(b, raw, sdk)
}

// parallelism gives benchConcurrency goroutines in all (RunParallel starts p × GOMAXPROCS).
func parallelism() int {
	procs := max(1, runtimeGOMAXPROCS())
	return max(1, benchConcurrency/procs)
}

func benchLogin(b *testing.B, s benchTarget) string {
	c := benchClient(b, s)
	session, err := c.Login(context.Background(), s.card, benchIMEI)
	if err != nil {
		b.Fatal(err)
	}
	return session.Statecode
}

func runtimeGOMAXPROCS() int { return runtime.GOMAXPROCS(0) }

// sides runs the raw and SDK sub-benchmarks, SDK first when KAMI_BENCH_ORDER=sdk-first, so a
// driver can alternate the order between runs and let drift cancel.
func sides(b *testing.B, raw, sdk func(*testing.B)) {
	if os.Getenv("KAMI_BENCH_ORDER") == "sdk-first" {
		b.Run("sdk", sdk)
		b.Run("raw", raw)
		return
	}
	b.Run("raw", raw)
	b.Run("sdk", sdk)
}

// BenchmarkPaired measures the ratio the way bench/sdk-overhead.mjs does for Node: each of b.N
// blocks times a few raw calls and as many SDK calls back to back (alternating which goes first),
// giving one SDK ÷ raw ratio; the median is reported as the sdk/raw metric. Drift of a shared
// machine, which is larger than the effect measured, cancels within a block.
func BenchmarkPaired(b *testing.B) {
	s := benchServer(b)
	h := rawClient()
	c := benchClient(b, s)
	// Each heartbeat scenario logs in first: the login scenarios before it log in far more often
	// than the card's session limit, which ends the oldest sessions.
	var statecode string
	ctx := context.Background()
	sdkLogin := func() {
		if _, err := c.Login(ctx, s.card, benchIMEI); err != nil {
			b.Error(err)
		}
	}
	sdkHeartbeat := func() {
		if _, err := c.Heartbeat(ctx, statecode, ""); err != nil {
			b.Error(err)
		}
	}
	scenarios := []struct {
		name     string
		calls    int
		parallel bool
		raw, sdk func()
	}{
		{"Login", 8, false, func() { rawLogin(b, h, s) }, sdkLogin},
		{"Heartbeat", 16, false, func() { rawHeartbeat(b, h, s, statecode) }, sdkHeartbeat},
		{"LoginParallel", 64, true, func() { rawLogin(b, h, s) }, sdkLogin},
		{"HeartbeatParallel", 128, true, func() { rawHeartbeat(b, h, s, statecode) }, sdkHeartbeat},
	}
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			if strings.HasPrefix(sc.name, "Heartbeat") {
				statecode = benchLogin(b, s)
			}
			timed := func(f func()) time.Duration {
				start := time.Now()
				if !sc.parallel {
					for i := 0; i < sc.calls; i++ {
						f()
					}
					return time.Since(start)
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				for w := 0; w < benchConcurrency; w++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(sc.calls) {
							f()
						}
					}()
				}
				wg.Wait()
				return time.Since(start)
			}
			timed(sc.raw) // warm both paths
			timed(sc.sdk)
			ratios := make([]float64, 0, b.N)
			var rawTotal, sdkTotal time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var raw, sdk time.Duration
				if i%2 == 0 {
					raw, sdk = timed(sc.raw), timed(sc.sdk)
				} else {
					sdk, raw = timed(sc.sdk), timed(sc.raw)
				}
				rawTotal, sdkTotal = rawTotal+raw, sdkTotal+sdk
				ratios = append(ratios, float64(sdk)/float64(raw))
			}
			sort.Float64s(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "sdk/raw")
			calls := float64(b.N * sc.calls)
			b.ReportMetric(float64(rawTotal.Microseconds())/calls, "raw-µs/call")
			b.ReportMetric(float64(sdkTotal.Microseconds())/calls, "sdk-µs/call")
		})
	}
}

// BenchmarkProtocolWork is the SDK's own CPU per call, without the network: signing and encoding
// the request, decoding the reply and (for a login) every check. It shows how much of the
// SDK ÷ raw ratio can be the SDK's doing; the rest is the noise of a shared machine.
func BenchmarkProtocolWork(b *testing.B) {
	const appKey = "8f3e2a1b9c7d4e6f0a5b3c2d1e9f8a7b"
	now := time.Now()
	endTime, date, ts := "2099-12-31 23:59:59", formatBeijingMinute(now), strconv.FormatInt(now.Unix(), 10)
	token := loginToken("1", appKey, "", endTime, date)
	login := `{"code":"200","id":1,"end_time":"` + endTime + `","amount":"永久卡","available":1,"token":"` + token +
		`","statecode":"` + statecodeOf(token, ts) + `","safe_code":"0123456789abcdef","time":` + ts + `,"date":"` + date +
		`","imei":"BENCH-DEVICE","change":0,"core":""}`
	heartbeat := `{"code":"200","msg":"在线","time":` + ts + `,"date":"` + date + `"}`
	b.Run("login", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			fields, text, _ := signRequest([]Param{{"kami", "KM3Q5T7W9Y2B4D6F"}, {"imei", benchIMEI}, {"safe_code", "0123456789abcdef"}},
				appKey, plainCodec{}, now.Unix())
			_ = formBody(fields)
			body, err := decodeT3Body(&httpResponse{status: 200, body: login}, plainCodec{})
			if err != nil {
				b.Fatal(err)
			}
			p := loginProof{id: fieldText(body["id"]), endTime: fieldText(body["end_time"]), token: fieldText(body["token"]),
				statecode: fieldText(body["statecode"]), time: fieldText(body["time"]), date: fieldText(body["date"]),
				safeCode: fieldText(body["safe_code"]), hasSafeCode: true}
			if err := checkClockSkew(body["time"], time.Now(), DefaultMaxClockSkew); err != nil {
				b.Fatal(err)
			}
			if err := verifyLogin(p, appKey, text, TokenAuto, "0123456789abcdef"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("heartbeat", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			fields, _, _ := signRequest([]Param{{"statecode", token}}, appKey, plainCodec{}, now.Unix())
			_ = formBody(fields)
			body, err := decodeT3Body(&httpResponse{status: 200, body: heartbeat}, plainCodec{})
			if err != nil || checkClockSkew(body["time"], time.Now(), DefaultMaxClockSkew) != nil {
				b.Fatal(err)
			}
		}
	})
}
