package kami

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// httpResponse is one answer, whatever its status.
type httpResponse struct {
	status int
	header http.Header
	body   string
}

// decodeT3Body decodes a T3 reply (codec first) into a JSON object. A plain JSON body is accepted
// in every mode, because some errors are raised before the server knows the app's codec; an
// alphabet may contain '{', so a leading brace only wins when the body really parses.
func decodeT3Body(resp *httpResponse, c codec) (map[string]any, error) {
	raw := strings.TrimSpace(resp.body)
	var parsed any
	ok := false
	if strings.HasPrefix(raw, "{") {
		parsed, ok = parseJSON(raw)
	}
	if !ok {
		text := raw
		if c.mode() != "plain" {
			decoded, err := c.decodeResponse(raw)
			if err != nil {
				if resp.status >= 400 {
					return nil, responseError(CodeHTTPError, fmt.Sprintf("HTTP %d", resp.status), resp.status, resp.body, err)
				}
				return nil, responseError(CodeResponseDecodeFailed, "响应解码失败: the body is not valid in this encoding mode",
					resp.status, resp.body, err)
			}
			text = decoded
		}
		if parsed, ok = parseJSON(text); !ok {
			if resp.status >= 400 {
				return nil, responseError(CodeHTTPError, fmt.Sprintf("HTTP %d", resp.status), resp.status, resp.body, nil)
			}
			return nil, responseError(CodeResponseInvalidJSON, "响应不是有效的JSON格式", resp.status, resp.body, nil)
		}
	}
	obj, isObject := parsed.(map[string]any)
	if !isObject {
		return nil, responseError(CodeResponseInvalidJSON, "响应不是有效的JSON格式: expected an object", resp.status, resp.body, nil)
	}
	return obj, nil
}

// parseJSON parses one JSON value, numbers kept as json.Number so ids and times keep their text.
func parseJSON(text string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF { // anything after the value, even garbage
		return nil, false
	}
	return v, true
}

// isSuccess: "200" and 200 both count.
func isSuccess(code any, successCode string) bool {
	return code != nil && fieldText(code) == successCode
}

// t3Error is the typed error of a non-success T3 body.
func t3Error(body map[string]any, resp *httpResponse) error {
	code, present := body["code"]
	if !present || code == nil {
		return responseError(CodeResponseMissingField, "响应数据缺少必要字段: code", resp.status, resp.body, nil)
	}
	msg, ok := body["msg"].(string)
	if !ok {
		msg, _ = body["message"].(string)
	}
	retryAfter, _ := parseRetryAfter(resp.header.Get("Retry-After"), time.Now())
	return t3APIError(msg, fieldText(code), resp.status, retryAfter)
}

// parseRetryAfter reads Retry-After: seconds or an HTTP date, never negative.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseFloat(value, 64); err == nil && !math.IsInf(seconds, 0) && !math.IsNaN(seconds) {
		return time.Duration(math.Max(0, math.Min(seconds, 1e9)) * float64(time.Second)), true
	}
	if at, err := http.ParseTime(value); err == nil {
		return max(0, at.Sub(now)), true
	}
	return 0, false
}

// requireFields fails with 响应数据缺少必要字段 naming the first absent (or null) field.
func requireFields(body map[string]any, names ...string) error {
	for _, name := range names {
		if v, ok := body[name]; !ok || v == nil {
			return missingField(name)
		}
	}
	return nil
}

// fieldText is a reply field as text, like JavaScript's String(v): "" when absent or null.
func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		var b bytes.Buffer
		_ = json.NewEncoder(&b).Encode(x)
		return strings.TrimSpace(b.String())
	}
}

// fieldFloat is a numeric reply field (a number, or a string holding one).
func fieldFloat(v any) (float64, bool) {
	var f float64
	var err error
	switch x := v.(type) {
	case json.Number:
		f, err = x.Float64()
	case string:
		f, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
	case float64:
		f = x
	default:
		return 0, false
	}
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// optionalInt is fieldInt for a field that may be absent: nil when the server did not send it.
func optionalInt(v any) *int {
	if v == nil {
		return nil
	}
	n := int(fieldInt(v))
	return &n
}

// optionalText is fieldText for a field that may be absent: nil when the server did not send it.
func optionalText(v any) *string {
	if v == nil {
		return nil
	}
	s := fieldText(v)
	return &s
}

// fieldInt is a numeric field truncated to an integer, 0 when absent or not numeric.
func fieldInt(v any) int64 {
	f, ok := fieldFloat(v)
	if !ok || f > math.MaxInt64 || f < math.MinInt64 {
		return 0
	}
	return int64(f)
}
