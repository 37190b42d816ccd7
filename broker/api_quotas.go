package broker

// DescribeClientQuotas: v0-1, AlterClientQuotas: v0-1
//
// Behavior (Kafka 2.8's ZkAdminManager; any broker answers, not only the
// controller, because ZooKeeper is the store and every broker has a session):
// * Entities are user, client-id, <user, client-id> and ip. A null name is
//   the default entity, stored as the znode <default>. User and client-id
//   names (and ips) are sanitised as Kafka's Sanitizer does (URL-encoded,
//   "*" becomes "%2A"): /config/users/<u>, /config/clients/<c>,
//   /config/users/<u>/clients/<c>, /config/ips/<ip> (zookeeper.md §3.7).
// * DescribeClientQuotas filter components: match type 0 = exact name,
//   1 = the default entity, 2 = any entity of that type (named or default).
//   strict=true excludes entities with a component the filter does not
//   name; strict=false also lists them. Only quota keys are reported (a
//   user node may hold SCRAM credentials too), as doubles. Filter errors
//   answer the whole request: INVALID_REQUEST "Duplicate user filter
//   component entity type", "Unexpected empty filter component entity
//   type", "Invalid entity filter component combination, ..." (ip with
//   user/client-id); UNSUPPORTED_VERSION "Custom entity type 'x' not
//   supported".
// * AlterClientQuotas applies each entry's ops in order to the entity's
//   stored config and writes it with a /config/changes notification, so
//   every broker's ZkConfigManager sees it. Values are strings of doubles as
//   Kafka stores them: request_percentage and controller_mutation_rate as
//   Java's Double.toString ("200.0"), producer_byte_rate and
//   consumer_byte_rate as longs ("1024"), connection_creation_rate (ip) as
//   an int. remove=true deletes the key whatever it is. Per-entry
//   INVALID_REQUEST messages: "Invalid empty client quota entity",
//   "Unhandled client quota entity type: x", "Empty user not supported",
//   "Invalid configuration key k", "Configuration k must be a LONG value",
//   "Invalid quota entity combination, IP entity should not be used with
//   user/client ID entity.", "x is not a valid IP or resolvable host.".
//   Like 2.8, (value + 1e-6) is truncated toward zero, so negative integer
//   values fail that check. Without validate_only the whole resulting node
//   is then checked as DynamicConfig.validate does (only the kind's keys,
//   parseable values); a failure there, or a SCRAM key (a STRING config),
//   is UNKNOWN_SERVER_ERROR without a message, as 2.8 answers Java
//   exceptions. validate_only runs the per-op checks and writes nothing.
// * Duplicates are handled as 2.8's request classes do (Java maps): an
//   entity naming a type twice keeps the last name; entries naming the same
//   entity twice are both applied in order and answered once (the last
//   result).
//
// Version notes:
// * v1 is the flexible version of v0; nothing else changed.
//
// * Enforcement: every broker's config change listener applies stored
//   user and client-id quotas to its quota managers (quota_manager.go) at
//   startup and on each /config/changes notification, so a change or
//   removal takes effect without a restart. producer_byte_rate throttles
//   Produce and consumer_byte_rate consumer Fetch (quota_throttle.go).
//
// Not implemented (why):
// * Enforcement of request_percentage (request handler time),
//   controller_mutation_rate (KIP-599) and ip connection_creation_rate
//   (KIP-612): they are stored and described, but nothing measures them.
//   Produce and fetch byte rates are enforced.
// * ip entities naming a host: Kafka accepts any name InetAddress resolves;
//   here only IP literals and "localhost" (no DNS lookups from the broker).
// * No authorizer: Kafka's DESCRIBE_CONFIGS / ALTER_CONFIGS CLUSTER checks
//   always pass.

import (
	"math"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/protocol"
	"gokafka/zkcoord"
)

// ClientQuotaEntity's entity types.
const (
	quotaUser     = "user"
	quotaClientID = "client-id"
	quotaIP       = "ip"
)

// quotaKeyTypes are DynamicConfig.Client/User and DynamicConfig.Ip's keys
// with their ConfigDef types, which decide how a value is stored.
var (
	userClientQuotaKeys = map[string]string{
		"producer_byte_rate":       "LONG",
		"consumer_byte_rate":       "LONG",
		"request_percentage":       "DOUBLE",
		"controller_mutation_rate": "DOUBLE",
	}
	// A user node also holds SCRAM credentials; DynamicConfig.User defines
	// them as STRING keys, which AlterClientQuotas cannot set.
	userQuotaKeys = func() map[string]string {
		m := map[string]string{"SCRAM-SHA-256": "STRING", "SCRAM-SHA-512": "STRING"}
		for k, v := range userClientQuotaKeys {
			m[k] = v
		}
		return m
	}()
	ipQuotaKeys = map[string]string{"connection_creation_rate": "INT"}
)

func invalidQuotaRequest(format string, args ...any) error {
	return protocol.Errorf(kerr.InvalidRequest, format, args...)
}

// unknownServerError stands for the Java IllegalStateException /
// IllegalArgumentException cases; 2.8 sends no message with them.
func unknownServerError() error { return protocol.Errorf(kerr.UnknownServerError, "") }

// sanitizeQuotaName is ZkAdminManager.sanitizeEntityName: nil (default) is
// <default>, anything else Sanitizer.sanitize.
func sanitizeQuotaName(name *string) string {
	if name == nil {
		return zkcoord.DefaultEntity
	}
	return zkcoord.SanitizeEntityName(*name)
}

// desanitizeQuotaName reverses sanitizeQuotaName.
func desanitizeQuotaName(s string) *string {
	if s == zkcoord.DefaultEntity {
		return nil
	}
	n := zkcoord.DesanitizeEntityName(s)
	return &n
}

// ---- DescribeClientQuotas ----

// quotaFilterComponent is a ClientQuotaFilterComponent: any (match type 2,
// Kafka's null match), else an exact name or, with name nil, the default.
type quotaFilterComponent struct {
	any  bool
	name *string
}

// entityName is one component of a described entity: absent (unset), or a
// name, nil for the default entity.
type entityName struct {
	set  bool
	name *string
}

func named(n *string) entityName { return entityName{set: true, name: n} }

func (e entityName) equal(n *string) bool {
	return e.set && (e.name == nil) == (n == nil) && (n == nil || *e.name == *n)
}

type describedQuota struct {
	user, client, ip entityName
	values           map[string]float64
}

func (b *Broker) handleDescribeClientQuotas(r *Request) {
	req := r.Msg.(*kmsg.DescribeClientQuotasRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.DescribeClientQuotasResponse)
		found, err := b.describeClientQuotas(req)
		if err != nil {
			resp.ErrorCode, resp.ErrorMessage = adminError(err)
			resp.Entries = nil
			r.Respond(resp)
			return
		}
		for _, q := range found {
			e := kmsg.NewDescribeClientQuotasResponseEntry()
			for _, c := range []struct {
				typ string
				n   entityName
			}{{quotaUser, q.user}, {quotaClientID, q.client}, {quotaIP, q.ip}} {
				if c.n.set {
					ent := kmsg.NewDescribeClientQuotasResponseEntryEntity()
					ent.Type, ent.Name = c.typ, c.n.name
					e.Entity = append(e.Entity, ent)
				}
			}
			for _, k := range sortedKeys(q.values) {
				v := kmsg.NewDescribeClientQuotasResponseEntryValue()
				v.Key, v.Value = k, q.values[k]
				e.Values = append(e.Values, v)
			}
			resp.Entries = append(resp.Entries, e)
		}
		r.Respond(resp)
	})
}

// describeClientQuotas is ZkAdminManager.describeClientQuotas; the result
// is sorted by entity for a stable answer.
func (b *Broker) describeClientQuotas(req *kmsg.DescribeClientQuotasRequest) ([]describedQuota, error) {
	var user, client, ip *quotaFilterComponent
	for _, c := range req.Components {
		// DescribeClientQuotasRequest.filter(): Optional.of(null) and an
		// unknown match type throw before the manager runs.
		comp := &quotaFilterComponent{}
		switch c.MatchType {
		case 0:
			if c.Match == nil {
				return nil, unknownServerError()
			}
			comp.name = c.Match
		case 1:
		case 2:
			comp.any = true
		default:
			return nil, unknownServerError()
		}
		switch c.EntityType {
		case quotaUser:
			if user != nil {
				return nil, invalidQuotaRequest("Duplicate user filter component entity type")
			}
			user = comp
		case quotaClientID:
			if client != nil {
				return nil, invalidQuotaRequest("Duplicate client filter component entity type")
			}
			client = comp
		case quotaIP:
			if ip != nil {
				return nil, invalidQuotaRequest("Duplicate ip filter component entity type")
			}
			ip = comp
		case "":
			return nil, invalidQuotaRequest("Unexpected empty filter component entity type")
		default:
			return nil, protocol.Errorf(kerr.UnsupportedVersion, "Custom entity type '%s' not supported", c.EntityType)
		}
	}
	if (user != nil || client != nil) && ip != nil {
		return nil, invalidQuotaRequest("Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.")
	}
	if b.zk == nil {
		return nil, errNoZooKeeper
	}
	var out []describedQuota
	if ip == nil {
		q, err := b.describeUserClientQuotas(user, client, req.Strict)
		if err != nil {
			return nil, err
		}
		out = append(out, q...)
	}
	if user == nil && client == nil {
		q, err := b.describeIPQuotas(ip, req.Strict)
		if err != nil {
			return nil, err
		}
		out = append(out, q...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].sortKey() < out[j].sortKey() })
	return out, nil
}

func (q describedQuota) sortKey() string {
	part := func(e entityName) string {
		switch {
		case !e.set:
			return "0"
		case e.name == nil:
			return "1"
		}
		return "2" + *e.name
	}
	return part(q.user) + "\x00" + part(q.client) + "\x00" + part(q.ip)
}

// quotaCandidate is a stored config with the entity it belongs to.
type quotaCandidate struct {
	user, client entityName
	cfg          map[string]string
}

// describeUserClientQuotas is handleDescribeClientQuotas: it reads only the
// nodes the filter can match (one node for exact names, else every node of
// a kind), then keeps the entities every component matches.
func (b *Broker) describeUserClientQuotas(user, client *quotaFilterComponent, strict bool) ([]describedQuota, error) {
	exact := func(c *quotaFilterComponent) bool { return c != nil && !c.any }
	excluded := func(c *quotaFilterComponent) bool { return strict && c == nil }
	exactUser, exactClient := exact(user), exact(client)
	exclUser, exclClient := excluded(user), excluded(client)

	var cands []quotaCandidate
	one := func(typ, path string, u, c entityName) error {
		cfg, err := b.zk.EntityConfig(typ, path)
		if err == nil {
			cands = append(cands, quotaCandidate{u, c, cfg})
		}
		return err
	}
	all := func(typ string, wrap func(n *string) (entityName, entityName)) error {
		names, err := b.zk.EntityNames(typ)
		if err != nil {
			return err
		}
		for _, n := range names {
			cfg, err := b.zk.EntityConfig(typ, n)
			if err != nil {
				return err
			}
			u, c := wrap(desanitizeQuotaName(n))
			cands = append(cands, quotaCandidate{u, c, cfg})
		}
		return nil
	}

	var err error
	switch {
	case exactUser && exclClient:
		err = one(zkcoord.ConfigTypeUser, sanitizeQuotaName(user.name), named(user.name), entityName{})
	case !exclUser && !exactClient:
		err = all(zkcoord.ConfigTypeUser, func(n *string) (entityName, entityName) { return named(n), entityName{} })
	}
	if err != nil {
		return nil, err
	}
	switch {
	case exclUser && exactClient:
		err = one(zkcoord.ConfigTypeClient, sanitizeQuotaName(client.name), entityName{}, named(client.name))
	case !exactUser && !exclClient:
		err = all(zkcoord.ConfigTypeClient, func(n *string) (entityName, entityName) { return entityName{}, named(n) })
	}
	if err != nil {
		return nil, err
	}
	switch {
	case exactUser && exactClient:
		err = one(zkcoord.ConfigTypeUser, sanitizeQuotaName(user.name)+"/clients/"+sanitizeQuotaName(client.name), named(user.name), named(client.name))
	case !exclUser && !exclClient:
		err = b.allUserClientConfigs(func(u, c string, cfg map[string]string) {
			cands = append(cands, quotaCandidate{named(desanitizeQuotaName(u)), named(desanitizeQuotaName(c)), cfg})
		})
	}
	if err != nil {
		return nil, err
	}

	matches := func(comp *quotaFilterComponent, n entityName) bool {
		switch {
		case comp == nil:
			return !n.set || !strict
		case comp.any:
			return n.set
		}
		return n.equal(comp.name)
	}
	var out []describedQuota
	for _, c := range cands {
		values, err := quotaValues(c.cfg, userClientQuotaKeys)
		if err != nil {
			return nil, err
		}
		if len(values) > 0 && matches(user, c.user) && matches(client, c.client) {
			out = append(out, describedQuota{user: c.user, client: c.client, values: values})
		}
	}
	return out, nil
}

// allUserClientConfigs visits every /config/users/<u>/clients/<c> node
// (AdminZkClient.fetchAllChildEntityConfigs), names still sanitised.
func (b *Broker) allUserClientConfigs(fn func(u, c string, cfg map[string]string)) error {
	users, err := b.zk.EntityNames(zkcoord.ConfigTypeUser)
	if err != nil {
		return err
	}
	for _, u := range users {
		clients, err := b.zk.EntityNames(zkcoord.ConfigTypeUser + "/" + u + "/" + zkcoord.ConfigTypeClient)
		if err != nil {
			return err
		}
		for _, c := range clients {
			cfg, err := b.zk.EntityConfig(zkcoord.ConfigTypeUser, u+"/"+zkcoord.ConfigTypeClient+"/"+c)
			if err != nil {
				return err
			}
			fn(u, c, cfg)
		}
	}
	return nil
}

// describeIPQuotas is handleDescribeIpQuotas: exact (or default) reads one
// node; any, or no ip component without strict, reads them all.
func (b *Broker) describeIPQuotas(ip *quotaFilterComponent, strict bool) ([]describedQuota, error) {
	type cand struct {
		ip  *string
		cfg map[string]string
	}
	var cands []cand
	switch {
	case ip != nil && !ip.any:
		cfg, err := b.zk.EntityConfig(zkcoord.ConfigTypeIP, sanitizeQuotaName(ip.name))
		if err != nil {
			return nil, err
		}
		cands = append(cands, cand{ip.name, cfg})
	case ip != nil || !strict:
		names, err := b.zk.EntityNames(zkcoord.ConfigTypeIP)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			cfg, err := b.zk.EntityConfig(zkcoord.ConfigTypeIP, n)
			if err != nil {
				return nil, err
			}
			cands = append(cands, cand{desanitizeQuotaName(n), cfg})
		}
	}
	var out []describedQuota
	for _, c := range cands {
		values, err := quotaValues(c.cfg, ipQuotaKeys)
		if err != nil {
			return nil, err
		}
		if len(values) > 0 {
			out = append(out, describedQuota{ip: named(c.ip), values: values})
		}
	}
	return out, nil
}

// quotaValues keeps the quota keys of a stored config as doubles (other
// keys, such as a user's SCRAM credentials, are not quotas); a value that is
// not a number is Kafka's IllegalStateException.
func quotaValues(cfg map[string]string, keys map[string]string) (map[string]float64, error) {
	out := map[string]float64{}
	for k, v := range cfg {
		if _, ok := keys[k]; !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, unknownServerError()
		}
		out[k] = f
	}
	return out, nil
}

// ---- AlterClientQuotas ----

// quotaEntityEntry is one (type, name) pair of an entity, name nil = default.
type quotaEntityEntry struct {
	typ  string
	name *string
}

func (b *Broker) handleAlterClientQuotas(r *Request) {
	req := r.Msg.(*kmsg.AlterClientQuotasRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.AlterClientQuotasResponse)
		// The request becomes a Java map entity → ops: repeated types in an
		// entity keep the last name, repeated entities answer once.
		var order []string
		results := map[string]*kmsg.AlterClientQuotasResponseEntry{}
		for _, entry := range req.Entries {
			entity := quotaEntityOf(entry.Entity)
			key := quotaEntityKey(entity)
			err := b.alterEntityQuotas(entity, entry.Ops, req.ValidateOnly)
			if err != nil {
				b.lg.Named("kafka.server.ZkAdminManager").Info("Error encountered while updating client quotas", zap.Error(err))
			}
			re := results[key]
			if re == nil {
				e := kmsg.NewAlterClientQuotasResponseEntry()
				re = &e
				for _, ent := range entity {
					rent := kmsg.NewAlterClientQuotasResponseEntryEntity()
					rent.Type, rent.Name = ent.typ, ent.name
					re.Entity = append(re.Entity, rent)
				}
				results[key] = re
				order = append(order, key)
			}
			re.ErrorCode, re.ErrorMessage = adminError(err)
		}
		for _, k := range order {
			resp.Entries = append(resp.Entries, *results[k])
		}
		r.Respond(resp)
	})
}

// quotaEntityOf collapses an entity's components as a map does, keeping the
// first position of each type and the last name given for it.
func quotaEntityOf(ents []kmsg.AlterClientQuotasRequestEntryEntity) []quotaEntityEntry {
	var out []quotaEntityEntry
	for _, e := range ents {
		i := slices.IndexFunc(out, func(q quotaEntityEntry) bool { return q.typ == e.Type })
		if i >= 0 {
			out[i].name = e.Name
			continue
		}
		out = append(out, quotaEntityEntry{e.Type, e.Name})
	}
	return out
}

// quotaEntityKey identifies an entity independent of component order.
func quotaEntityKey(entity []quotaEntityEntry) string {
	parts := make([]string, 0, len(entity))
	for _, e := range entity {
		n := "\x01" // default
		if e.name != nil {
			n = "=" + *e.name
		}
		parts = append(parts, e.typ+n)
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x00")
}

// alterEntityQuotas is ZkAdminManager.alterClientQuotas for one entry.
func (b *Broker) alterEntityQuotas(entity []quotaEntityEntry, ops []kmsg.AlterClientQuotasRequestEntryOp, validateOnly bool) error {
	// parseAndSanitizeQuotaEntity
	if len(entity) == 0 {
		return invalidQuotaRequest("Invalid empty client quota entity")
	}
	var user, client, ip *string
	for _, e := range entity {
		s := sanitizeQuotaName(e.name)
		switch e.typ {
		case quotaUser:
			user = &s
		case quotaClientID:
			client = &s
		case quotaIP:
			ip = &s
		default:
			return invalidQuotaRequest("Unhandled client quota entity type: %s", e.typ)
		}
		if e.name != nil && *e.name == "" {
			return invalidQuotaRequest("Empty %s not supported", e.typ)
		}
	}
	var typ, path string
	var keys map[string]string
	switch {
	case ip != nil && (user != nil || client != nil):
		return invalidQuotaRequest("Invalid quota entity combination, IP entity should not be used with user/client ID entity.")
	case ip != nil:
		if !validIPEntity(*ip) {
			return invalidQuotaRequest("%s is not a valid IP or resolvable host.", *ip)
		}
		typ, path, keys = zkcoord.ConfigTypeIP, *ip, ipQuotaKeys
	case user != nil && client != nil:
		typ, path, keys = zkcoord.ConfigTypeUser, *user+"/"+zkcoord.ConfigTypeClient+"/"+*client, userQuotaKeys
	case user != nil:
		typ, path, keys = zkcoord.ConfigTypeUser, *user, userQuotaKeys
	default:
		typ, path, keys = zkcoord.ConfigTypeClient, *client, userClientQuotaKeys
	}
	if b.zk == nil {
		return errNoZooKeeper
	}
	props, err := b.zk.EntityConfig(typ, path)
	if err != nil {
		return err
	}
	for _, op := range ops {
		if op.Remove {
			delete(props, op.Key)
			continue
		}
		kind, ok := keys[op.Key]
		if !ok {
			return invalidQuotaRequest("Invalid configuration key %s", op.Key)
		}
		switch kind {
		case "DOUBLE":
			props[op.Key] = javaDoubleString(op.Value)
		case "LONG", "INT":
			const epsilon = 1e-6
			n := javaLong(op.Value + epsilon)
			if kind == "INT" {
				n = int64(javaInt(op.Value + epsilon))
			}
			if math.Abs(float64(n)-op.Value) > epsilon { // false for NaN: stored as 0, as in 2.8
				return invalidQuotaRequest("Configuration %s must be a %s value", op.Key, kind)
			}
			props[op.Key] = strconv.FormatInt(n, 10)
		default: // SCRAM credentials are STRING keys
			return unknownServerError()
		}
	}
	if validateOnly {
		return nil
	}
	// AdminZkClient.changeConfigs validates the whole node before writing:
	// a user's own node against DynamicConfig.User, the default user and
	// <user, client-id> nodes against DynamicConfig.Client.
	check := keys
	if typ == zkcoord.ConfigTypeUser && (*user == zkcoord.DefaultEntity || client != nil) {
		check = userClientQuotaKeys
	}
	if !validStoredQuotas(props, check) {
		return unknownServerError()
	}
	return b.zk.SetEntityConfig(typ, path, props)
}

// validStoredQuotas is DynamicConfig.validate: only known keys, each value
// parsing as its type (connection_creation_rate at least 0). A failure is a
// Java IllegalArgumentException or ConfigException, so UNKNOWN_SERVER_ERROR.
func validStoredQuotas(props, keys map[string]string) bool {
	for k, v := range props {
		kind, ok := keys[k]
		if !ok {
			return false
		}
		v = strings.TrimSpace(v)
		var err error
		switch kind {
		case "LONG":
			_, err = strconv.ParseInt(v, 10, 64)
		case "INT":
			var n int64
			n, err = strconv.ParseInt(v, 10, 32)
			if err == nil && n < 0 {
				return false
			}
		case "DOUBLE":
			_, err = strconv.ParseFloat(v, 64)
		}
		if err != nil {
			return false
		}
	}
	return true
}

// validIPEntity is DynamicConfig.Ip.isValidIpEntity without name
// resolution: <default>, an IP literal or localhost. Like 2.8 it sees the
// sanitised name, so IPv6 literals (":" becomes "%3A") are refused there too.
func validIPEntity(ip string) bool {
	if ip == zkcoord.DefaultEntity || ip == "localhost" {
		return true
	}
	return net.ParseIP(ip) != nil
}

// javaLong and javaInt are Java's (long) and (int) casts of a double:
// truncation toward zero, saturating, NaN becomes 0.
func javaLong(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

func javaInt(f float64) int32 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int32(f)
}

// javaDoubleString is Java's Double.toString: plain notation with at least
// one decimal for 1e-3 <= |v| < 1e7 ("200.0", "0.5"), else computerized
// scientific notation ("1.0E7", "1.5E-4"), with the shortest digits that
// read back as v.
func javaDoubleString(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	case v == 0:
		if math.Signbit(v) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(v, 'e', -1, 64) // e.g. 1.5e+07
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}
