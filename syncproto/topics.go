package syncproto

import (
	"fmt"
	"strings"
)

// Version is the protocol version this build writes into every message.
const Version = 1

// Topic prefixes and names (DESIGN.md §4).
const (
	topicRoot = "jxc/v1"
	// IngestShareGroup is the shared-subscription group of cloud ingest.
	IngestShareGroup = "jxc-cloud"
)

// UpEvents is the topic a replica publishes its event batches to.
func UpEvents(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "up/events")
}

// UpStatus is the retained status topic of a replica (with its last will).
func UpStatus(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "up/status")
}

// UpPull is where a replica asks for its peers' events after a version vector.
func UpPull(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "up/pull")
}

// DownAck is where the cloud tells a replica its watermark.
func DownAck(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "down/ack")
}

// ReplicaDownEvents is where the cloud answers one replica's Pull.
func ReplicaDownEvents(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "down/events")
}

// SiteDownEvents is where the cloud forwards each stored event to the
// replicas of its site.
func SiteDownEvents(tenant, site string) string {
	return fmt.Sprintf("%s/%s/%s/down/events", topicRoot, tenant, site)
}

// UpMasterPull is where a replica asks for its site's master records after
// a revision (pb.MasterPull).
func UpMasterPull(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "up/master-pull")
}

// ReplicaDownMaster is where the cloud answers one replica's MasterPull, so
// an agent that reconnects never depends on what the broker queued for it.
func ReplicaDownMaster(tenant, site string, r ReplicaID) string {
	return replicaTopic(tenant, site, r, "down/master")
}

// DownMaster carries master data to a site: the cloud pushes new revisions
// there for the site's online agents.
func DownMaster(tenant, site string) string {
	return fmt.Sprintf("%s/%s/%s/down/master", topicRoot, tenant, site)
}

// DownConfig carries device profiles to a site.
func DownConfig(tenant, site string) string {
	return fmt.Sprintf("%s/%s/%s/down/config", topicRoot, tenant, site)
}

// IngestFilter is the cloud's shared subscription to every replica's batches.
func IngestFilter() string {
	return "$share/" + IngestShareGroup + "/" + topicRoot + "/+/+/+/up/events"
}

// PullFilter is the cloud's shared subscription to every replica's pulls.
func PullFilter() string {
	return "$share/" + IngestShareGroup + "/" + topicRoot + "/+/+/+/up/pull"
}

// MasterPullFilter is the cloud's shared subscription to every replica's
// master pulls.
func MasterPullFilter() string {
	return "$share/" + IngestShareGroup + "/" + topicRoot + "/+/+/+/up/master-pull"
}

func replicaTopic(tenant, site string, r ReplicaID, name string) string {
	return fmt.Sprintf("%s/%s/%s/%s/%s", topicRoot, tenant, site, r, name)
}

// Topic is a parsed replica topic.
type Topic struct {
	Tenant  string
	Site    string
	Replica ReplicaID
	// Name is what follows the replica, e.g. "up/events".
	Name string
}

// ParseReplicaTopic parses jxc/v1/{t}/{s}/{r}/{dir}/{name}.
func ParseReplicaTopic(topic string) (Topic, error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 7 || parts[0]+"/"+parts[1] != topicRoot {
		return Topic{}, fmt.Errorf("%w: %q", ErrBadTopic, topic)
	}
	r, err := ParseReplicaID(parts[4])
	if err != nil {
		return Topic{}, fmt.Errorf("%w: %q: %v", ErrBadTopic, topic, err)
	}
	if ValidName(parts[2]) != nil || ValidName(parts[3]) != nil {
		return Topic{}, fmt.Errorf("%w: %q: bad tenant or site", ErrBadTopic, topic)
	}
	return Topic{Tenant: parts[2], Site: parts[3], Replica: r, Name: parts[5] + "/" + parts[6]}, nil
}

// StatusFilter is the cloud's subscription to every replica's retained
// status. It is not shared: retained messages reach only plain
// subscriptions, and each cloud process keeps the latest status anyway.
func StatusFilter() string {
	return topicRoot + "/+/+/+/up/status"
}
