package kami

import "context"

// CloudDocResult is the reply of cloud_doc.
type CloudDocResult struct {
	Content string         // the document text (the reply's msg), "" when the app has none
	Raw     map[string]any // the decoded reply
}

// CloudDoc (云文档, t3sdk get_cloud_doc) reads the app's document with the token of a live login,
// a card's (Session.Token) or an account's (UserLoginResult.Token). A token of no live session
// (a wrong one, or its session ended or expired) is refused with token无效 (CodeTokenInvalid).
func (c *Client) CloudDoc(ctx context.Context, token string) (*CloudDocResult, error) {
	if err := requireNonEmpty("token", token); err != nil {
		return nil, err
	}
	r, err := c.callOK(ctx, EndpointCloudDoc, Param{"token", token})
	if err != nil {
		return nil, err
	}
	return &CloudDocResult{Content: fieldText(r.Fields["msg"]), Raw: r.Fields}, nil
}
