// Package mqttx holds the MQTT plumbing the agent's sync client and the
// cloud's ingest share: a paho connection set up for syncproto (persistent
// session, reconnects left to the caller) and the reconnect loop with
// exponential backoff. It knows nothing of either side's logic.
package mqttx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
	paho "github.com/eclipse/paho.mqtt.golang"
)

// Options configure Connect.
type Options struct {
	Broker   string
	ClientID string
	// Handler gets every message, also those a persistent session delivers
	// right after CONNACK, before any SUBSCRIBE of this connection is
	// answered. It must not block past the connection's end.
	Handler paho.MessageHandler
	// WillTopic and WillPayload set a retained QoS 1 last will when WillTopic
	// is not empty.
	WillTopic   string
	WillPayload []byte
	// OrderMatters makes paho call Handler in arrival order from one
	// goroutine (and acknowledge after it returns).
	OrderMatters bool
}

// NewClient makes a client with a persistent session (clean session off,
// so the broker keeps subscriptions and queues QoS 1 messages while the
// client is away) and no automatic reconnect; lost will receive the error
// that ends its connection. Messages can reach o.Handler as soon as Connect
// is called, so set up whatever the handler uses before that.
func NewClient(o Options) (cl paho.Client, lost <-chan error) {
	ch := make(chan error, 1)
	po := paho.NewClientOptions().AddBroker(o.Broker).SetClientID(o.ClientID).
		SetCleanSession(false).SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(5 * time.Second).SetKeepAlive(15 * time.Second).SetPingTimeout(5 * time.Second).
		SetWriteTimeout(10 * time.Second).SetOrderMatters(o.OrderMatters).
		SetDefaultPublishHandler(o.Handler).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			select {
			case ch <- err:
			default:
			}
		})
	if o.WillTopic != "" {
		po.SetBinaryWill(o.WillTopic, o.WillPayload, 1, true)
	}
	return paho.NewClient(po), ch
}

// Connect connects cl, waiting at most 10 seconds for the broker's answer.
func Connect(cl paho.Client) error {
	broker := "broker"
	if r := cl.OptionsReader(); len(r.Servers()) > 0 {
		broker = r.Servers()[0].String()
	}
	tok := cl.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		cl.Disconnect(0)
		return fmt.Errorf("connect %s: no answer in 10s", broker)
	}
	if err := tok.Error(); err != nil {
		return fmt.Errorf("connect %s: %w", broker, err)
	}
	return nil
}

// Loop runs session until ctx is done, waiting between sessions with
// exponential backoff (from 200ms up to maxBackoff, started over after a
// session that lasted a minute). wait sleeps for d or less; nil means a
// plain timer. Loop returns when ctx is done.
func Loop(ctx context.Context, log *slog.Logger, maxBackoff time.Duration, session func(context.Context) error, wait func(context.Context, time.Duration)) {
	if wait == nil {
		wait = func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		}
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 200 * time.Millisecond
	bo.MaxInterval = maxBackoff
	bo.MaxElapsedTime = 0
	for ctx.Err() == nil {
		start := time.Now()
		err := session(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > time.Minute {
			bo.Reset()
		}
		d := bo.NextBackOff()
		log.Warn("broker link down; reconnecting", "err", err, "in", d.Round(time.Millisecond))
		wait(ctx, d)
	}
}
