package syncproto_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jxc-edge/jxc/syncproto"
)

const testReplica syncproto.ReplicaID = 0x00c0ffee12345678

func TestTopicBuilders(t *testing.T) {
	r := testReplica
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "up events", got: syncproto.UpEvents("acme", "store-1", r), want: "jxc/v1/acme/store-1/00c0ffee12345678/up/events"},
		{name: "up status", got: syncproto.UpStatus("acme", "store-1", r), want: "jxc/v1/acme/store-1/00c0ffee12345678/up/status"},
		{name: "up pull", got: syncproto.UpPull("acme", "store-1", r), want: "jxc/v1/acme/store-1/00c0ffee12345678/up/pull"},
		{name: "down ack", got: syncproto.DownAck("acme", "store-1", r), want: "jxc/v1/acme/store-1/00c0ffee12345678/down/ack"},
		{name: "replica down events", got: syncproto.ReplicaDownEvents("acme", "store-1", r), want: "jxc/v1/acme/store-1/00c0ffee12345678/down/events"},
		{name: "site down events", got: syncproto.SiteDownEvents("acme", "store-1"), want: "jxc/v1/acme/store-1/down/events"},
		{name: "down master", got: syncproto.DownMaster("acme", "store-1"), want: "jxc/v1/acme/store-1/down/master"},
		{name: "down config", got: syncproto.DownConfig("acme", "store-1"), want: "jxc/v1/acme/store-1/down/config"},
		{name: "ingest filter", got: syncproto.IngestFilter(), want: "$share/jxc-cloud/jxc/v1/+/+/+/up/events"},
		{name: "pull filter", got: syncproto.PullFilter(), want: "$share/jxc-cloud/jxc/v1/+/+/+/up/pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestParseReplicaTopic(t *testing.T) {
	r := testReplica
	tests := []struct {
		name  string
		topic string
		want  syncproto.Topic
	}{
		{name: "up events", topic: syncproto.UpEvents("acme", "store-1", r),
			want: syncproto.Topic{Tenant: "acme", Site: "store-1", Replica: r, Name: "up/events"}},
		{name: "master pull", topic: syncproto.UpMasterPull("acme", "store-1", r),
			want: syncproto.Topic{Tenant: "acme", Site: "store-1", Replica: r, Name: "up/master-pull"}},
		{name: "master answer", topic: syncproto.ReplicaDownMaster("acme", "store-1", r),
			want: syncproto.Topic{Tenant: "acme", Site: "store-1", Replica: r, Name: "down/master"}},
		{name: "up status", topic: syncproto.UpStatus("acme", "store-1", r),
			want: syncproto.Topic{Tenant: "acme", Site: "store-1", Replica: r, Name: "up/status"}},
		{name: "up pull", topic: syncproto.UpPull("acme", "wh-2", r),
			want: syncproto.Topic{Tenant: "acme", Site: "wh-2", Replica: r, Name: "up/pull"}},
		{name: "down ack", topic: syncproto.DownAck("t", "s", 1),
			want: syncproto.Topic{Tenant: "t", Site: "s", Replica: 1, Name: "down/ack"}},
		{name: "down events", topic: syncproto.ReplicaDownEvents("acme", "上海仓", r),
			want: syncproto.Topic{Tenant: "acme", Site: "上海仓", Replica: r, Name: "down/events"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := syncproto.ParseReplicaTopic(tt.topic)
			if err != nil {
				t.Fatalf("ParseReplicaTopic(%q): %v", tt.topic, err)
			}
			if got != tt.want {
				t.Errorf("ParseReplicaTopic(%q) = %+v, want %+v", tt.topic, got, tt.want)
			}
		})
	}
}

func TestParseReplicaTopicErrors(t *testing.T) {
	tests := []struct {
		name  string
		topic string
	}{
		{name: "empty", topic: ""},
		{name: "site topic", topic: syncproto.SiteDownEvents("acme", "store-1")},
		{name: "too long", topic: syncproto.UpEvents("acme", "store-1", testReplica) + "/x"},
		{name: "trailing slash", topic: syncproto.UpEvents("acme", "store-1", testReplica) + "/"},
		{name: "leading slash", topic: "/" + syncproto.UpEvents("acme", "store-1", testReplica)},
		{name: "other root", topic: "jxc/v2/acme/store-1/00c0ffee12345678/up/events"},
		{name: "root only", topic: "jxc/v1"},
		{name: "share prefix", topic: syncproto.IngestFilter()},
		{name: "wildcard replica", topic: "jxc/v1/acme/store-1/+/up/events"},
		{name: "wildcard site", topic: "jxc/v1/acme/+/00c0ffee12345678/up/events"},
		{name: "wildcard tenant", topic: "jxc/v1/#/store-1/00c0ffee12345678/up/events"},
		{name: "empty tenant", topic: "jxc/v1//store-1/00c0ffee12345678/up/events"},
		{name: "empty site", topic: "jxc/v1/acme//00c0ffee12345678/up/events"},
		{name: "replica zero", topic: "jxc/v1/acme/store-1/0000000000000000/up/events"},
		{name: "replica short", topic: "jxc/v1/acme/store-1/c0ffee/up/events"},
		{name: "replica not hex", topic: "jxc/v1/acme/store-1/00c0ffee1234567z/up/events"},
		{name: "replica uppercase", topic: "jxc/v1/acme/store-1/00C0FFEE12345678/up/events"},
		{name: "long tenant", topic: "jxc/v1/" + strings.Repeat("t", 65) + "/store-1/00c0ffee12345678/up/events"},
		{name: "control in site", topic: "jxc/v1/acme/store\x01/00c0ffee12345678/up/events"},
		{name: "invalid utf-8 site", topic: "jxc/v1/acme/store\xff/00c0ffee12345678/up/events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := syncproto.ParseReplicaTopic(tt.topic)
			if !errors.Is(err, syncproto.ErrBadTopic) {
				t.Fatalf("ParseReplicaTopic(%q) = %+v, %v; want ErrBadTopic", tt.topic, got, err)
			}
		})
	}
}
