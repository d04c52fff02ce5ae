package kami_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	kami "github.com/kami-verify/kami-verify/packages/go"
)

// The app's credentials, as the server's admin shows them (here: the demo app of `npm start`).
var (
	baseURL = "http://127.0.0.1:3000"
	appKey  = "your-app-key"
	routes  = kami.Routes{
		kami.EndpointLogin:     "813B2676E9690C89",
		kami.EndpointHeartbeat: "5A1F0C3B7D9E2468",
	}
)

// Log a card in, then keep the session alive until the card stops being valid.
func Example() {
	client, err := kami.New(baseURL, appKey, routes)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx := context.Background()
	session, err := client.Login(ctx, "KM3Q5T7W9Y2B4D6F", "") // "" = this machine's code
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("licensed until", session.ExpiresAt)

	hb, err := session.StartHeartbeat(ctx, kami.HeartbeatOptions{
		Validity: 10 * time.Minute, // the app's 登录状态码有效期
		OnLost: func(err error, reason kami.LostReason) {
			log.Printf("licence lost (%s): %v", reason, err)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	end := hb.Wait() // or hb.Stop() when the app exits
	fmt.Println(end.Reason)
}

func ExampleNew() {
	client, err := kami.New("https://verify.example.com", appKey, routes,
		kami.WithFallbackURLs("https://verify-backup.example.com"),
		kami.WithEncoding(kami.Base64("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")),
		kami.WithTimeout(5*time.Second),
	)
	fmt.Println(client != nil, err)
	// Output: true <nil>
}

func ExampleNew_invalid() {
	_, err := kami.New("ftp://nope", appKey, routes)
	var e *kami.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.Code, e.Field)
	}
	// Output: validation INVALID_ARGUMENT baseURL
}

func ExampleClient_Login() {
	client, _ := kami.New(baseURL, appKey, routes)
	_, err := client.Login(context.Background(), "KM3Q5T7W9Y2B4D6F", "DEVICE_001")
	switch {
	case errors.Is(err, kami.CodeCardExpired):
		fmt.Println("this card has expired: please renew")
	case errors.Is(err, kami.CodeDeviceMismatch):
		fmt.Println("this card is bound to another machine")
	case errors.Is(err, kami.KindConnection):
		fmt.Println("the licence server is unreachable")
	case err != nil:
		fmt.Println("login failed:", err)
	}
}

func ExampleCodeOf() {
	err := fmt.Errorf("startup: %w", &kami.Error{Kind: kami.KindAPI, Code: kami.CodeCardDisabled, Message: "卡密被禁用"})
	fmt.Println(kami.CodeOf(err), errors.Is(err, kami.CodeCardDisabled), errors.Is(err, kami.KindAPI))
	// Output: CARD_DISABLED true true
}

func ExampleT3CodeForMessage() {
	code, ok := kami.T3CodeForMessage("卡密已到期")
	fmt.Println(code, ok)
	// Output: CARD_EXPIRED true
}

func ExampleParseBeijingTime() {
	at, ok := kami.ParseBeijingTime("2026-04-10 12:00:00")
	fmt.Println(at.UTC(), ok)
	// Output: 2026-04-10 04:00:00 +0000 UTC true
}

func ExampleMachineCode() {
	code, err := kami.MachineCode(kami.MachineCodeOptions{Salt: "my-app"})
	fmt.Println(len(code), err)
	// Output: 32 <nil>
}

func ExampleClient_CreateCardMy() {
	client, _ := kami.New(baseURL, appKey, routes, kami.WithPotato(kami.PotatoConfig{
		AskKey: "your-ask-key", UserNumber: "reseller", PassWord: "secret",
	}))
	cards, err := client.CreateCardMy(context.Background(), kami.CardMonth, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, card := range cards {
		fmt.Println(card.CardStr)
	}
}

func ExampleBackoffDelay() {
	// The managed heartbeat's retry delays: exponential, half fixed and half jittered.
	for attempt := 1; attempt <= 4; attempt++ {
		fmt.Println(kami.BackoffDelay(attempt, nil, time.Second, 30*time.Second, 0))
	}
	// Output:
	// 500ms
	// 1s
	// 2s
	// 4s
}

// 以卡充卡: a renewal card's term goes onto the card the user already activated.
func ExampleClient_KamiRecharge() {
	client, _ := kami.New(baseURL, appKey, kami.Routes{kami.EndpointKamiRecharge: "E6A6C3824A76DC1D"})
	_, err := client.KamiRecharge(context.Background(), "KM3Q5T7W9Y2B4D6F", "RENEWAL-CARD")
	switch {
	case errors.Is(err, kami.CodeSourceCardUsed):
		fmt.Println("that renewal card was already used") // 充值卡密已被使用
	case errors.Is(err, kami.CodeTargetCardNotActivated):
		fmt.Println("log in with your card once first")
	case err != nil:
		fmt.Println("recharge failed:", err)
	}
}

// 账号模式: register, recharge a card into the account, log in, keep the session alive.
func ExampleClient_UserLogin() {
	client, _ := kami.New(baseURL, appKey, kami.Routes{
		kami.EndpointRegister:      "362BA80CA657E96F",
		kami.EndpointRecharge:      "7E698B839BB7EC6E",
		kami.EndpointUserLogin:     "F09CB06B6FB9629D",
		kami.EndpointUserHeartbeat: "8F03B6794C230DE0",
	})
	ctx := context.Background()
	if _, err := client.Register(ctx, "alice", "secret-1", ""); err != nil && !errors.Is(err, kami.CodeUserExists) {
		log.Fatal(err)
	}
	if _, err := client.Recharge(ctx, "alice", "KM3Q5T7W9Y2B4D6F"); err != nil {
		log.Print(err) // e.g. CARD_ALREADY_USED
	}
	login, err := client.UserLogin(ctx, "alice", "secret-1", "") // token and statecode verified
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("licensed until", login.ExpiresAt)
	if _, err := client.UserHeartbeat(ctx, "alice", "secret-1", login.Statecode); err != nil {
		log.Fatal(err)
	}
}

// 云变量: read a variable by its id, write a client-writable one.
func ExampleClient_GetVariable() {
	client, _ := kami.New(baseURL, appKey, kami.Routes{
		kami.EndpointGetVariable: "538F93F688AE7B3D", kami.EndpointModifyVariable: "75B19B3F91909DBE",
	})
	ctx := context.Background()
	v, err := client.GetVariable(ctx, "KM3Q5T7W9Y2B4D6F", kami.Variable{ID: "motd"})
	if errors.Is(err, kami.CodeVariableNotFound) {
		fmt.Println("no such variable")
	} else if err == nil {
		fmt.Println(v.Value)
	}
	_, _ = client.ModifyVariable(ctx, "KM3Q5T7W9Y2B4D6F", "last_seen", time.Now().Format(time.RFC3339))
}
