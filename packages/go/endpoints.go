package kami

// Endpoint names a T3-family endpoint. The values are the keys of the app's routes as the
// reference server and the test harness spell them (spec/catalogue/t3.json names), so a routes
// JSON object decodes into Routes.
type Endpoint string

// The T3-family endpoints of spec/catalogue/t3.json this client calls.
const (
	// Card family (卡密).
	EndpointLogin          Endpoint = "login"
	EndpointHeartbeat      Endpoint = "heartbeat"
	EndpointQuery          Endpoint = "query"
	EndpointUnbind         Endpoint = "unbind"
	EndpointIPUnbind       Endpoint = "ip_unbind"
	EndpointDisable        Endpoint = "disable"
	EndpointKamiRecharge   Endpoint = "kami_recharge"
	EndpointGetKamiCore    Endpoint = "get_kami_core"
	EndpointModifyCore     Endpoint = "modify_core"
	EndpointGetVariable    Endpoint = "get_variable"
	EndpointModifyVariable Endpoint = "modify_variable"
	EndpointHeartbeatAny   Endpoint = "heartbeat_any"
	EndpointOnlineKami     Endpoint = "online_kami"

	// App family (no credential).
	EndpointNotice      Endpoint = "notice"
	EndpointVersion     Endpoint = "version"
	EndpointCheckUpdate Endpoint = "check_update"
	EndpointAppSign     Endpoint = "app_sign"

	// Account family (账号模式).
	EndpointRegister       Endpoint = "register"
	EndpointUserLogin      Endpoint = "user_login"
	EndpointUserHeartbeat  Endpoint = "user_heartbeat"
	EndpointChangePassword Endpoint = "change_password"
	EndpointUserCancel     Endpoint = "user_cancel"
	EndpointRecharge       Endpoint = "recharge"
	EndpointGetUserCore    Endpoint = "get_user_core"
	EndpointOnlineUser     Endpoint = "online_user"
)

// Routes says where each endpoint lives: a 调用码 such as "813B2676E9690C89" (sent as
// POST /813B2676E9690C89) or a path starting with "/". A server's whole route map may be passed
// as is: keys of endpoints this client has no method for are kept for Client.Call and otherwise
// unused.
type Routes map[Endpoint]string

// endpoints is the one table of endpoint properties, idempotent as spec/catalogue/t3.json says
// (a conformance test compares them): safe to send again after it may have reached a server, so
// it is retried and failed over freely. An endpoint missing here (one called through Client.Call)
// is treated as not idempotent, the safe default.
var endpoints = map[Endpoint]struct{ idempotent bool }{
	EndpointLogin:          {idempotent: false},
	EndpointHeartbeat:      {idempotent: true},
	EndpointQuery:          {idempotent: true},
	EndpointUnbind:         {idempotent: false},
	EndpointIPUnbind:       {idempotent: true},
	EndpointDisable:        {idempotent: true},
	EndpointKamiRecharge:   {idempotent: false},
	EndpointGetKamiCore:    {idempotent: true},
	EndpointModifyCore:     {idempotent: true},
	EndpointGetVariable:    {idempotent: true},
	EndpointModifyVariable: {idempotent: true},
	EndpointHeartbeatAny:   {idempotent: true},
	EndpointOnlineKami:     {idempotent: true},
	EndpointNotice:         {idempotent: true},
	EndpointVersion:        {idempotent: true},
	EndpointCheckUpdate:    {idempotent: true},
	EndpointAppSign:        {idempotent: true},
	EndpointRegister:       {idempotent: false},
	EndpointUserLogin:      {idempotent: false},
	EndpointUserHeartbeat:  {idempotent: true},
	EndpointChangePassword: {idempotent: false},
	EndpointUserCancel:     {idempotent: false},
	EndpointRecharge:       {idempotent: false},
	EndpointGetUserCore:    {idempotent: true},
	EndpointOnlineUser:     {idempotent: true},
}
