package kami

// Endpoint names a T3-family endpoint. The values are the keys of the app's routes as the
// reference server and the test harness spell them, so a routes JSON object decodes into Routes.
type Endpoint string

// The T3-family endpoints.
const (
	EndpointLogin       Endpoint = "login"
	EndpointHeartbeat   Endpoint = "heartbeat"
	EndpointQuery       Endpoint = "query"
	EndpointUnbind      Endpoint = "unbind"
	EndpointNotice      Endpoint = "notice"
	EndpointVersion     Endpoint = "version"
	EndpointCheckUpdate Endpoint = "check_update"
)

// Routes says where each endpoint lives: a 调用码 such as "813B2676E9690C89" (sent as
// POST /813B2676E9690C89) or a path starting with "/".
type Routes map[Endpoint]string

// endpoints is the one table of endpoint properties. idempotent: safe to send again after it may
// have reached a server, so it is retried and failed over freely. An endpoint missing here (one
// called through Client.Call) is treated as not idempotent, the safe default.
var endpoints = map[Endpoint]struct{ idempotent bool }{
	EndpointLogin:       {idempotent: false},
	EndpointHeartbeat:   {idempotent: true},
	EndpointQuery:       {idempotent: true},
	EndpointUnbind:      {idempotent: false},
	EndpointNotice:      {idempotent: true},
	EndpointVersion:     {idempotent: true},
	EndpointCheckUpdate: {idempotent: true},
}
