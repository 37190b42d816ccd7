package tools

// kafka-configs.sh: kafka.admin.ConfigCommand (Kafka 2.8).
//
// Behaviour:
//   - --zookeeper mode (prints the two deprecation lines on stdout first)
//     reads and writes /config/<type>/<name> through zkcoord, followed by a
//     /config/changes notification: "Completed updating config for entity:
//     topic 'x'." and "Configs for topic 'x' are k=v,k=v" lines. As in 2.7+,
//     user quotas are refused there (only SCRAM credentials could be
//     written), and dynamic broker configs only while the broker is down
//     (replication throttles excepted).
//   - --bootstrap-server mode: topics and brokers through DescribeConfigs /
//     IncrementalAlterConfigs (topics) / AlterConfigs (brokers), client and
//     user quotas through DescribeClientQuotas / AlterClientQuotas, with 2.8's
//     "Dynamic configs for topic x are:" blocks and "Quota configs for
//     client-id 'c' are k=v, k=v" lines.
//   - Entities: --entity-type/--entity-name/--entity-default (users may be
//     combined with clients) or the shortcuts --topic, --client, --user,
//     --broker, --broker-logger, --ip and their *-defaults.
//   - Argument errors that 2.8 raises as IllegalArgumentException print only
//     the message on stderr and exit 1; other failures print "Error while
//     executing config command with args '...'" and the exception.
//
// Not implemented (why): SCRAM credential writes (no SCRAM in gokafka);
// broker-loggers and ips are passed to the broker as they are (the broker
// decides whether it supports them).

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

func configsCommand() *cli.Command {
	return toolCommand("kafka.admin.ConfigCommand", runConfigs)
}

const brokerLoggerType = "broker-loggers"

// Entity types per mode (ConfigType.all and BrokerSupportedConfigTypes).
var (
	zkConfigTypes        = []string{"topics", "clients", "users", "brokers", "ips"}
	bootstrapConfigTypes = []string{"topics", "clients", "users", "brokers", brokerLoggerType, "ips"}
	entityFlags          = [][2]string{{"topic", "topics"}, {"client", "clients"}, {"user", "users"}, {"broker", "brokers"}, {"broker-logger", brokerLoggerType}, {"ip", "ips"}}
	entityDefaultFlags   = [][2]string{{"client-defaults", "clients"}, {"user-defaults", "users"}, {"broker-defaults", "brokers"}, {"ip-defaults", "ips"}}
	quotaConfigNames     = []string{"producer_byte_rate", "consumer_byte_rate", "request_percentage", "controller_mutation_rate", "connection_creation_rate"}
	scramMechanisms      = []string{"SCRAM-SHA-256", "SCRAM-SHA-512"}
)

func configsOptions() *optionParser {
	p := newOptionParser()
	p.arg("zookeeper", "DEPRECATED. The connection string for the zookeeper connection in the form host:port. Multiple URLS can be given to allow fail-over. Replaced by --bootstrap-server, REQUIRED unless --bootstrap-server is given.", "String", "urls")
	p.arg("bootstrap-server", "The Kafka server to connect to. This is required for describing and altering broker configs.", "String", "server to connect to")
	p.arg("command-config", "Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.", "String", "command config property file")
	p.flag("alter", "Alter the configuration for the entity.")
	p.flag("describe", "List configs for the given entity.")
	p.arg("entity-type", "Type of entity (topics/clients/users/brokers/broker-loggers/ips)", "String", "")
	p.arg("entity-name", "Name of entity (topic name/client id/user principal name/broker id/ip)", "String", "")
	p.flag("entity-default", "Default entity name for clients/users/brokers/ips (applies to corresponding entity type in command line)")
	p.arg("add-config", "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.", "String", "")
	p.arg("add-config-file", "Path to a properties file with configs to add. See add-config for a list of valid configurations.", "String", "")
	p.arg("delete-config", "config keys to remove 'k1,k2'", "String", "")
	p.flag("force", "Suppress console prompts")
	p.arg("topic", "The topic's name.", "String", "")
	p.arg("client", "The client's ID.", "String", "")
	p.flag("client-defaults", "The config defaults for all clients.")
	p.arg("user", "The user's principal name.", "String", "")
	p.flag("user-defaults", "The config defaults for all users.")
	p.arg("broker", "The broker's ID.", "String", "")
	p.flag("broker-defaults", "The config defaults for all brokers.")
	p.arg("broker-logger", "The broker's ID for its logger config.", "String", "")
	p.arg("ip", "The IP address.", "String", "")
	p.flag("ip-defaults", "The config defaults for all IPs.")
	p.flag("all", "List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)")
	p.arg("zk-tls-config-file", "Identifies the file where ZooKeeper client TLS connectivity properties are defined.", "String", "ZooKeeper TLS configuration")
	return p
}

// configsError is an IllegalArgumentException or
// InvalidConfigurationException: message on stderr, exit 1.
type configsError struct{ msg string }

func (e *configsError) Error() string { return e.msg }

func configsArgError(format string, a ...any) error { return &configsError{fmt.Sprintf(format, a...)} }

// configsCmd is one run.
type configsCmd struct {
	env   *toolEnv
	o     *optionSet
	types []string // opts.entityTypes
	names []string // opts.entityNames ("" = default)
}

func runConfigs(ctx context.Context, env *toolEnv, args []string) int {
	p := configsOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to manipulate and describe entity config for a topic, client, user, broker or ip")
	if !ok {
		return code
	}
	actions := 0
	for _, a := range []string{"alter", "describe"} {
		if o.has(a) {
			actions++
		}
	}
	if actions != 1 {
		return p.usageAndDie(env, "Command must include exactly one action: --describe, --alter")
	}
	if o.has("alter") && o.has("describe") {
		return p.usageAndDie(env, "Option \"[alter]\" can't be used with option \"[describe]\"")
	}
	for _, x := range []string{"add-config", "delete-config"} {
		if o.has("describe") && o.has(x) {
			return p.usageAndDie(env, fmt.Sprintf("Option \"[describe]\" can't be used with option \"[%s]\"", x))
		}
	}
	c := &configsCmd{env: env, o: o}
	c.entities()
	err := c.checkArgs()
	if err == nil {
		if o.has("zookeeper") {
			fmt.Fprintln(env.Stdout, "Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.")
			fmt.Fprintln(env.Stdout, "Use --bootstrap-server instead to specify a broker to connect to.")
			err = c.withZk(ctx)
		} else {
			err = c.withBootstrap(ctx)
		}
	}
	if err == nil {
		return 0
	}
	var ce *configsError
	if errors.As(err, &ce) {
		fmt.Fprintln(env.Stderr, ce.msg)
		return 1
	}
	// main catches InvalidConfigurationException as it does
	// IllegalArgumentException: the message alone.
	var ae *zkcoord.AdminError
	if errors.As(err, &ae) && strings.HasSuffix(ae.Class, ".InvalidConfigurationException") {
		fmt.Fprintln(env.Stderr, ae.Msg)
		return 1
	}
	fmt.Fprintf(env.Stderr, "Error while executing config command with args '%s'\n", strings.Join(args, " "))
	fmt.Fprintln(env.Stderr, configsException(err))
	return 1
}

// configsException renders a failure as Java's Throwable.toString.
func configsException(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return "java.util.concurrent.ExecutionException: " + javaErrorMessage(err)
	}
	var ae *zkcoord.AdminError
	if errors.As(err, &ae) {
		return ae.Class + ": " + ae.Msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "java.util.concurrent.TimeoutException"
	}
	if isUnsupportedVersion(err) {
		return "java.util.concurrent.ExecutionException: " + javaErrorMessage(err)
	}
	return "org.apache.kafka.common.KafkaException: " + err.Error()
}

// entities computes ConfigCommandOptions.entityTypes and entityNames: the
// --entity-type values then the shortcut flags; names in the order
// --entity-name/--entity-default appear, then the shortcuts'.
func (c *configsCmd) entities() {
	o := c.o
	c.types = append(c.types, o.values("entity-type")...)
	for _, f := range append(append([][2]string{}, entityFlags...), entityDefaultFlags...) {
		if o.has(f[0]) {
			c.types = append(c.types, f[1])
		}
	}
	names := o.values("entity-name")
	for _, name := range o.order {
		switch name {
		case "entity-name":
			c.names = append(c.names, names[0])
			names = names[1:]
		case "entity-default":
			c.names = append(c.names, "")
		}
	}
	for _, f := range entityFlags {
		if o.has(f[0]) {
			c.names = append(c.names, o.value(f[0]))
		}
	}
	for _, f := range entityDefaultFlags {
		if o.has(f[0]) {
			c.names = append(c.names, "")
		}
	}
}

// checkArgs is ConfigCommandOptions.checkArgs after the action checks.
func (c *configsCmd) checkArgs() error {
	o := c.o
	seen := map[string]bool{}
	var dups []string
	for _, t := range c.types {
		if seen[t] {
			dups = append(dups, t)
		}
		seen[t] = true
	}
	if len(dups) > 0 {
		return configsArgError("Duplicate entity type(s) specified: %s", strings.Join(dups, ","))
	}
	allowed, connect := zkConfigTypes, "--zookeeper"
	if o.has("bootstrap-server") {
		allowed, connect = bootstrapConfigTypes, "--bootstrap-server"
	}
	for _, t := range c.types {
		if !contains(allowed, t) {
			return configsArgError("Invalid entity type %s, the entity type must be one of %s with a %s argument", t, strings.Join(allowed, ", "), connect)
		}
	}
	if len(c.types) == 0 {
		return configsArgError("At least one entity type must be specified")
	}
	if len(c.types) > 1 && !(len(c.types) == 2 && seen["users"] && seen["clients"]) {
		return configsArgError("Only 'users' and 'clients' entity types may be specified together")
	}
	if o.has("entity-name") || o.has("entity-type") || o.has("entity-default") {
		for _, f := range append(append([][2]string{}, entityFlags...), entityDefaultFlags...) {
			if o.has(f[0]) {
				return configsArgError("--entity-{type,name,default} should not be used in conjunction with specific entity flags")
			}
		}
	}
	hasName, hasDefault := false, false
	for _, n := range c.names {
		hasName = hasName || n != ""
		hasDefault = hasDefault || n == ""
	}
	switch {
	case !o.has("bootstrap-server") && !o.has("zookeeper"):
		return configsArgError("One of the required --bootstrap-server or --zookeeper arguments must be specified")
	case o.has("bootstrap-server") && o.has("zookeeper"):
		return configsArgError("Only one of --bootstrap-server or --zookeeper must be specified")
	}
	if o.has("all") && o.has("zookeeper") {
		return configsArgError("--bootstrap-server must be specified for --all")
	}
	if hasName && (seen["brokers"] || seen[brokerLoggerType]) {
		for _, f := range []string{"entity-name", "broker", "broker-logger"} {
			if o.has(f) {
				if _, err := strconv.ParseInt(o.value(f), 10, 32); err != nil {
					return configsArgError("The entity name for %s must be a valid integer broker id, but it is: %s", c.types[0], o.value(f))
				}
			}
		}
	}
	if o.has("describe") && seen[brokerLoggerType] && !hasName {
		return configsArgError("an entity name must be specified with --describe of %s", strings.Join(c.types, ","))
	}
	if o.has("alter") {
		if seen["users"] || seen["clients"] || seen["brokers"] || seen["ips"] {
			if !hasName && !hasDefault {
				return configsArgError("an entity-name or default entity must be specified with --alter of users, clients, brokers or ips")
			}
		} else if !hasName {
			return configsArgError("an entity name must be specified with --alter of %s", strings.Join(c.types, ","))
		}
		add, file, del := o.has("add-config"), o.has("add-config-file"), o.has("delete-config")
		if add && file {
			return configsArgError("Only one of --add-config or --add-config-file must be specified")
		}
		if !add && !file && !del {
			return configsArgError("At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter")
		}
	}
	return nil
}

// configsToAdd is parseConfigsToBeAdded: --add-config-file, then
// --add-config split at commas outside square brackets.
func (c *configsCmd) configsToAdd() (map[string]string, error) {
	props := map[string]string{}
	if c.o.has("add-config-file") {
		fp, err := loadProperties(c.o.value("add-config-file"))
		if err != nil {
			return nil, err
		}
		props = fp
	}
	if c.o.has("add-config") {
		for _, kv := range splitOutsideBrackets(c.o.value("add-config")) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || strings.Contains(strings.NewReplacer("[", "", "]", "").Replace(v), "=") && !strings.Contains(v, "[") {
				return nil, configsArgError("Invalid entity config: all configs to be added must be in the format \"key=val\".")
			}
			props[strings.TrimSpace(k)] = strings.TrimSpace(strings.NewReplacer("[", "", "]", "").Replace(v))
		}
	}
	if v, ok := props["message.format.version"]; ok {
		fmt.Fprintf(c.env.Stdout, "WARNING: The configuration message.format.version=%s is specified. This configuration will be ignored if the version is newer than the inter.broker.protocol.version specified in the broker.\n", v)
	}
	return props, nil
}

// splitOutsideBrackets splits s at commas that are not inside [...].
func splitOutsideBrackets(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// configsToDelete is parseConfigsToBeDeleted (values separated by ',').
func (c *configsCmd) configsToDelete() []string {
	var out []string
	for _, v := range c.o.values("delete-config") {
		for _, k := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(k))
		}
	}
	return out
}

func sortedConfigPairs(m map[string]string, sep string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, sep)
}

// ---------------------------------------------------------------------------
// --zookeeper

// zkEntity is ConfigCommand.Entity: a type and a sanitized name (nil: all).
type zkEntity struct {
	typ  string
	name *string
}

func (e zkEntity) path() string {
	if e.name == nil {
		return e.typ
	}
	return e.typ + "/" + *e.name
}

func (e zkEntity) String() string {
	typeName := map[string]string{"users": "user-principal", "clients": "client-id", "topics": "topic"}[e.typ]
	if typeName == "" {
		typeName = e.typ
	}
	switch {
	case e.name == nil:
		return typeName
	case *e.name == zkcoord.DefaultEntity:
		return "default " + typeName
	case e.typ == "users" || e.typ == "clients":
		return fmt.Sprintf("%s '%s'", typeName, zkcoord.DesanitizeEntityName(*e.name))
	}
	return fmt.Sprintf("%s '%s'", typeName, *e.name)
}

// zkConfigEntity is ConfigCommand.ConfigEntity: a root and an optional
// child (<user, client-id>).
type zkConfigEntity struct {
	root  zkEntity
	child *zkEntity
}

func (e zkConfigEntity) String() string {
	if e.child != nil {
		return e.root.String() + ", " + e.child.String()
	}
	return e.root.String()
}

// fullName is fullSanitizedName: "u", "u/clients/c".
func (e zkConfigEntity) fullName() string {
	n := ""
	if e.root.name != nil {
		n = *e.root.name
	}
	if e.child != nil {
		n += "/" + e.child.path()
	}
	return n
}

func strp(s string) *string { return &s }

// parseZkEntity is ConfigCommand.parseEntity.
func (c *configsCmd) parseZkEntity() (zkConfigEntity, error) {
	types, names := c.types, c.names
	if types[0] != "users" && types[0] != "clients" {
		e := zkEntity{typ: types[0]}
		if len(names) > 0 {
			n := names[0]
			if n == "" {
				n = zkcoord.DefaultEntity
			}
			e.name = strp(n)
		}
		return zkConfigEntity{root: e}, nil
	}
	if c.o.has("alter") && len(names) != len(types) {
		return zkConfigEntity{}, configsArgError("--entity-name or --entity-default must be specified with each --entity-type for --alter")
	}
	if len(types) == 2 && types[0] == "clients" {
		types = []string{types[1], types[0]}
		if len(names) == 2 {
			names = []string{names[1], names[0]}
		}
	}
	var es []zkEntity
	for i, t := range types {
		e := zkEntity{typ: t}
		if i < len(names) {
			n := zkcoord.DefaultEntity
			if names[i] != "" {
				n = zkcoord.SanitizeEntityName(names[i])
			}
			e.name = strp(n)
		}
		es = append(es, e)
	}
	ce := zkConfigEntity{root: es[0]}
	if len(es) > 1 {
		ce.child = &es[1]
	}
	return ce, nil
}

// allEntities is ConfigEntity.getAllEntities.
func allEntities(zc *zkcoord.Client, e zkConfigEntity) ([]zkConfigEntity, error) {
	switch {
	case e.root.name == nil:
		names, err := zc.EntityNames(e.root.typ)
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		var out []zkConfigEntity
		for _, n := range names {
			re := zkConfigEntity{root: zkEntity{typ: e.root.typ, name: strp(n)}}
			if e.child == nil {
				out = append(out, re)
				continue
			}
			re.child = &zkEntity{typ: e.child.typ}
			more, err := allEntities(zc, re)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		return out, nil
	case e.child != nil && e.child.name == nil:
		names, err := zc.EntityNames(e.root.path() + "/" + e.child.typ)
		if err != nil {
			return nil, err
		}
		sort.Strings(names)
		var out []zkConfigEntity
		for _, n := range names {
			out = append(out, zkConfigEntity{root: e.root, child: &zkEntity{typ: e.child.typ, name: strp(n)}})
		}
		return out, nil
	}
	return []zkConfigEntity{e}, nil
}

func (c *configsCmd) withZk(ctx context.Context) error {
	zc, err := zkcoord.Connect(c.o.value("zookeeper"), 30*time.Second, 30*time.Second, zap.NewNop())
	if err != nil {
		return err
	}
	defer zc.Close()
	entity, err := c.parseZkEntity()
	if err != nil {
		return err
	}
	if c.o.has("describe") {
		describeAllUsers := entity.root.typ == "users" && entity.root.name == nil && entity.child == nil
		all, err := allEntities(zc, entity)
		if err != nil {
			return err
		}
		for _, e := range all {
			cfg, err := zc.EntityConfig(e.root.typ, e.fullName())
			if err != nil {
				return err
			}
			if len(cfg) > 0 || !describeAllUsers {
				fmt.Fprintf(c.env.Stdout, "Configs for %s are %s\n", e, sortedConfigPairs(cfg, ","))
			}
		}
		return nil
	}
	add, err := c.configsToAdd()
	if err != nil {
		return err
	}
	del := c.configsToDelete()
	typ, name := entity.root.typ, entity.fullName()
	if typ == "users" && (len(add) > 0 || len(del) > 0) {
		// 2.7+ (KIP-554): user quotas go through the brokers; ZooKeeper
		// mode only writes SCRAM credentials.
		for _, k := range append(sortedKeysOf(add), del...) {
			if !contains(scramMechanisms, k) {
				return configsArgError("requirement failed: --bootstrap-server option must be specified to update users configs: {add: %s, delete: %s}. User configuration updates using ZooKeeper are only supported for SCRAM credential updates.", javaProps(add), scalaSeq(del))
			}
		}
		return configsArgError("SCRAM credentials are not supported by gokafka")
	}
	if typ == "brokers" && (len(add) > 0 || len(del) > 0) {
		if err := zkBrokersNotRunning(zc, name, add, del); err != nil {
			return err
		}
	}
	cfg, err := zc.EntityConfig(typ, name)
	if err != nil {
		return err
	}
	if err := checkDeletable(del, func(k string) bool { _, ok := cfg[k]; return ok }); err != nil {
		return err
	}
	for k, v := range add {
		cfg[k] = v
	}
	for _, k := range del {
		delete(cfg, k)
	}
	switch typ {
	case "topics":
		err = zc.ChangeTopicConfig(name, cfg)
	case "clients", "users":
		if err = validateQuotaConfigs(typ, cfg); err == nil {
			err = zc.SetEntityConfig(typ, name, cfg)
		}
	default:
		err = zc.SetEntityConfig(typ, name, cfg)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stdout, "Completed updating config for entity: %s.\n", entity)
	return nil
}

// zkBrokersNotRunning is validateBrokersNotRunning: dynamic broker configs
// other than the replication throttles may be written to ZooKeeper only
// while the affected brokers are down.
func zkBrokersNotRunning(zc *zkcoord.Client, name string, add map[string]string, del []string) error {
	throttleOnly := true
	for k := range add {
		throttleOnly = throttleOnly && (k == "leader.replication.throttled.rate" || k == "follower.replication.throttled.rate" || k == "replica.alter.log.dirs.io.max.bytes.per.second")
	}
	if throttleOnly {
		return nil
	}
	brokers, err := zc.Brokers()
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("--bootstrap-server option must be specified to update brokers configs: {add: %s, delete: %s}", javaProps(add), scalaSeq(del))
	info := "Broker configuration operations using ZooKeeper are only supported if the affected broker(s) are not running."
	if name == zkcoord.DefaultEntity {
		if len(brokers) > 0 {
			return configsArgError("requirement failed: %s - %d brokers are running. %s", msg, len(brokers), info)
		}
		return nil
	}
	for _, b := range brokers {
		if strconv.Itoa(int(b.ID)) == name {
			return configsArgError("requirement failed: %s - broker %s is running. %s", msg, name, info)
		}
	}
	return nil
}

// scalaSeq renders the --delete-config keys as Scala prints them.
func scalaSeq(keys []string) string {
	if len(keys) == 0 {
		return "List()"
	}
	return "Buffer(" + strings.Join(keys, ", ") + ")"
}

// javaProps renders a map as java.util.Properties.toString: {k=v, k=v}.
func javaProps(m map[string]string) string { return "{" + sortedConfigPairs(m, ", ") + "}" }

// validateQuotaConfigs is DynamicConfig.Client/User.validate: only quota
// keys (and SCRAM mechanisms for users), numbers.
func validateQuotaConfigs(typ string, cfg map[string]string) error {
	for k, v := range cfg {
		switch {
		case contains(quotaConfigNames, k):
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return configsArgError("Invalid value %s for configuration %s: Not a number of type DOUBLE", v, k)
			}
		case typ == "users" && contains(scramMechanisms, k):
		default:
			return fmt.Errorf("Unknown Dynamic Configuration '%s'.", k)
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// --bootstrap-server

func (c *configsCmd) withBootstrap(ctx context.Context) error {
	props := map[string]string{}
	if c.o.has("command-config") {
		var err error
		if props, err = loadProperties(c.o.value("command-config")); err != nil {
			return err
		}
	}
	props["bootstrap.servers"] = c.o.value("bootstrap-server")
	kopts, err := clientOpts(props)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	if c.o.has("alter") && len(c.types) != len(c.names) {
		return configsArgError("An entity name must be specified for every entity type")
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if c.o.has("alter") {
		return c.alterBootstrap(ctx, cl)
	}
	switch c.types[0] {
	case "topics", "brokers", brokerLoggerType:
		return c.describeResources(ctx, cl)
	}
	return c.describeQuotas(ctx, cl)
}

func resourceType(entityType string) kmsg.ConfigResourceType {
	switch entityType {
	case "topics":
		return kmsg.ConfigResourceTypeTopic
	case "brokers":
		return kmsg.ConfigResourceTypeBroker
	}
	return kmsg.ConfigResourceTypeBrokerLogger
}

// resourceConfigs is getResourceConfig: the entries of one resource, sorted
// by name, only the dynamic ones unless all.
func resourceConfigs(ctx context.Context, cl *kgo.Client, entityType, name string, synonyms, all bool) ([]kmsg.DescribeConfigsResponseResourceConfig, error) {
	var want kmsg.ConfigSource = -1
	switch entityType {
	case "topics":
		if name != "" {
			if err := zkcoord.ValidateTopicName(name); err != nil {
				return nil, &configsError{err.Error()}
			}
		}
		want = kmsg.ConfigSourceDynamicTopicConfig
	case "brokers":
		if name == "" {
			want = kmsg.ConfigSourceDynamicDefaultBrokerConfig
		} else {
			if _, err := strconv.Atoi(name); err != nil {
				return nil, configsArgError("The entity name for %s must be a valid integer broker id, found: %s", entityType, name)
			}
			want = kmsg.ConfigSourceDynamicBrokerConfig
		}
	}
	if all {
		want = -1
	}
	req := kmsg.NewPtrDescribeConfigsRequest()
	r := kmsg.NewDescribeConfigsRequestResource()
	r.ResourceType, r.ResourceName = resourceType(entityType), name
	req.Resources = append(req.Resources, r)
	req.IncludeSynonyms = synonyms
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	var out []kmsg.DescribeConfigsResponseResourceConfig
	for _, res := range resp.Resources {
		if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
			return nil, err
		}
		for _, cfg := range res.Configs {
			if want == -1 || cfg.Source == want {
				out = append(out, cfg)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *configsCmd) describeResources(ctx context.Context, cl *kgo.Client) error {
	typ, all := c.types[0], c.o.has("all")
	var entities []string
	if len(c.names) > 0 {
		entities = c.names[:1]
	} else {
		adm := kadm.NewClient(cl)
		if typ == "topics" {
			topics, err := adm.ListTopicsWithInternal(ctx)
			if err != nil {
				return err
			}
			entities = topics.Names()
			sort.Strings(entities)
		} else {
			brokers, err := adm.ListBrokers(ctx)
			if err != nil {
				return err
			}
			for _, id := range brokers.NodeIDs() {
				entities = append(entities, strconv.Itoa(int(id)))
			}
			entities = append(entities, "")
		}
	}
	w := c.env.Stdout
	single := strings.TrimSuffix(typ, "s")
	for _, e := range entities {
		if e == "" {
			fmt.Fprintf(w, "Default configs for %s in the cluster are:\n", typ)
		} else if all {
			fmt.Fprintf(w, "All configs for %s %s are:\n", single, e)
		} else {
			fmt.Fprintf(w, "Dynamic configs for %s %s are:\n", single, e)
		}
		cfgs, err := resourceConfigs(ctx, cl, typ, e, true, all)
		if err != nil {
			return err
		}
		for _, cfg := range cfgs {
			var syns []string
			for _, s := range cfg.ConfigSynonyms {
				syns = append(syns, fmt.Sprintf("%s:%s=%s", configSourceName(s.Source), s.Name, javaString(s.Value)))
			}
			fmt.Fprintf(w, "  %s=%s sensitive=%t synonyms={%s}\n", cfg.Name, javaString(cfg.Value), cfg.IsSensitive, strings.Join(syns, ", "))
		}
	}
	return nil
}

func javaString(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

// configSourceName is ConfigEntry.ConfigSource's enum name.
func configSourceName(s kmsg.ConfigSource) string {
	switch s {
	case kmsg.ConfigSourceDynamicTopicConfig:
		return "DYNAMIC_TOPIC_CONFIG"
	case kmsg.ConfigSourceDynamicBrokerConfig:
		return "DYNAMIC_BROKER_CONFIG"
	case kmsg.ConfigSourceDynamicDefaultBrokerConfig:
		return "DYNAMIC_DEFAULT_BROKER_CONFIG"
	case kmsg.ConfigSourceStaticBrokerConfig:
		return "STATIC_BROKER_CONFIG"
	case kmsg.ConfigSourceDefaultConfig:
		return "DEFAULT_CONFIG"
	case kmsg.ConfigSourceDynamicBrokerLoggerConfig:
		return "DYNAMIC_BROKER_LOGGER_CONFIG"
	}
	return "UNKNOWN"
}

func (c *configsCmd) alterBootstrap(ctx context.Context, cl *kgo.Client) error {
	add, err := c.configsToAdd()
	if err != nil {
		return err
	}
	del := c.configsToDelete()
	typ, name := c.types[0], c.names[0]
	checkDeletes := func(old []kmsg.DescribeConfigsResponseResourceConfig) error {
		have := map[string]bool{}
		for _, cfg := range old {
			have[cfg.Name] = true
		}
		return checkDeletable(del, func(k string) bool { return have[k] })
	}
	switch typ {
	case "topics", brokerLoggerType:
		old, err := resourceConfigs(ctx, cl, typ, name, false, false)
		if err != nil {
			return err
		}
		if err := checkDeletes(old); err != nil {
			return err
		}
		req := kmsg.NewPtrIncrementalAlterConfigsRequest()
		r := kmsg.NewIncrementalAlterConfigsRequestResource()
		r.ResourceType, r.ResourceName = resourceType(typ), name
		for _, k := range sortedKeysOf(add) {
			op := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			op.Name, op.Op, op.Value = k, kmsg.IncrementalAlterConfigOpSet, kmsg.StringPtr(add[k])
			r.Configs = append(r.Configs, op)
		}
		for _, k := range del {
			op := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			op.Name, op.Op = k, kmsg.IncrementalAlterConfigOpDelete
			r.Configs = append(r.Configs, op)
		}
		req.Resources = append(req.Resources, r)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return err
		}
		for _, res := range resp.Resources {
			if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
				return withMessage(err, res.ErrorMessage)
			}
		}
	case "brokers":
		old, err := resourceConfigs(ctx, cl, typ, name, false, false)
		if err != nil {
			return err
		}
		if err := checkDeletes(old); err != nil {
			return err
		}
		next := map[string]*string{}
		for _, cfg := range old {
			next[cfg.Name] = cfg.Value
		}
		for k, v := range add {
			next[k] = kmsg.StringPtr(v)
		}
		for _, k := range del {
			delete(next, k)
		}
		var missing []string
		for k, v := range next {
			if v == nil {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return configsArgError("All sensitive broker config entries must be specified for --alter, missing entries: Set(%s)", strings.Join(missing, ", "))
		}
		req := kmsg.NewPtrAlterConfigsRequest()
		r := kmsg.NewAlterConfigsRequestResource()
		r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeBroker, name
		keys := make([]string, 0, len(next))
		for k := range next {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cfg := kmsg.NewAlterConfigsRequestResourceConfig()
			cfg.Name, cfg.Value = k, next[k]
			r.Configs = append(r.Configs, cfg)
		}
		req.Resources = append(req.Resources, r)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return err
		}
		for _, res := range resp.Resources {
			if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
				return withMessage(err, res.ErrorMessage)
			}
		}
	case "users", "clients", "ips":
		var unknown []string
		for k := range add {
			if !contains(quotaConfigNames, k) && !contains(scramMechanisms, k) {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return configsArgError("Only quota configs can be added for '%s' using --bootstrap-server. Unexpected config names: Set(%s)", typ, strings.Join(unknown, ", "))
		}
		if err := c.alterQuotas(ctx, cl, add, del); err != nil {
			return err
		}
	default:
		return configsArgError("Unsupported entity type: %s", typ)
	}
	if name != "" {
		fmt.Fprintf(c.env.Stdout, "Completed updating config for %s %s.\n", strings.TrimSuffix(typ, "s"), name)
	} else {
		fmt.Fprintf(c.env.Stdout, "Completed updating default config for %s in the cluster.\n", typ)
	}
	return nil
}

func sortedKeysOf(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quotaEntityType maps a ConfigCommand entity type to ClientQuotaEntity's.
func quotaEntityType(t string) string {
	switch t {
	case "users":
		return "user"
	case "clients":
		return "client-id"
	}
	return "ip"
}

// quotaComponents is getAllClientQuotasConfigs's filter: an exact name, the
// default ("" name) or any entity of the type.
func (c *configsCmd) quotaComponents() []kmsg.DescribeClientQuotasRequestComponent {
	var comps []kmsg.DescribeClientQuotasRequestComponent
	for i, t := range c.types {
		comp := kmsg.NewDescribeClientQuotasRequestComponent()
		comp.EntityType = quotaEntityType(t)
		switch {
		case i >= len(c.names):
			comp.MatchType = 2 // any
		case c.names[i] == "":
			comp.MatchType = 1 // default
		default:
			comp.MatchType, comp.Match = 0, kmsg.StringPtr(c.names[i])
		}
		comps = append(comps, comp)
	}
	return comps
}

func (c *configsCmd) fetchQuotas(ctx context.Context, cl *kgo.Client) ([]kmsg.DescribeClientQuotasResponseEntry, error) {
	req := kmsg.NewPtrDescribeClientQuotasRequest()
	req.Components = c.quotaComponents()
	req.Strict = true // ClientQuotaFilter.containsOnly
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return nil, withMessage(err, resp.ErrorMessage)
	}
	return resp.Entries, nil
}

// checkDeletable refuses --delete-config keys the entity does not have,
// naming them all as ConfigCommand does.
func checkDeletable(del []string, present func(string) bool) error {
	var invalid []string
	for _, k := range del {
		if !present(k) {
			invalid = append(invalid, k)
		}
	}
	if len(invalid) > 0 {
		return configsArgError("Invalid config(s): %s", strings.Join(invalid, ","))
	}
	return nil
}

func (c *configsCmd) alterQuotas(ctx context.Context, cl *kgo.Client, add map[string]string, del []string) error {
	entries, err := c.fetchQuotas(ctx, cl)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range entries {
		for _, v := range e.Values {
			have[v.Key] = true
		}
	}
	if err := checkDeletable(del, func(k string) bool { return have[k] }); err != nil {
		return err
	}
	req := kmsg.NewPtrAlterClientQuotasRequest()
	entry := kmsg.NewAlterClientQuotasRequestEntry()
	for i, t := range c.types {
		ent := kmsg.NewAlterClientQuotasRequestEntryEntity()
		ent.Type = quotaEntityType(t)
		if c.names[i] != "" {
			ent.Name = kmsg.StringPtr(c.names[i])
		}
		entry.Entity = append(entry.Entity, ent)
	}
	for _, k := range sortedKeysOf(add) {
		f, err := strconv.ParseFloat(add[k], 64)
		if err != nil {
			return configsArgError("Cannot parse quota configuration value for %s: %s", k, add[k])
		}
		op := kmsg.NewAlterClientQuotasRequestEntryOp()
		op.Key, op.Value = k, f
		entry.Ops = append(entry.Ops, op)
	}
	for _, k := range del {
		op := kmsg.NewAlterClientQuotasRequestEntryOp()
		op.Key, op.Remove = k, true
		entry.Ops = append(entry.Ops, op)
	}
	req.Entries = append(req.Entries, entry)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, e := range resp.Entries {
		if err := kerr.ErrorForCode(e.ErrorCode); err != nil {
			return withMessage(err, e.ErrorMessage)
		}
	}
	return nil
}

func (c *configsCmd) describeQuotas(ctx context.Context, cl *kgo.Client) error {
	entries, err := c.fetchQuotas(ctx, cl)
	if err != nil {
		return err
	}
	type line struct{ key, text string }
	var lines []line
	for _, e := range entries {
		parts := map[string]string{}
		for _, ent := range e.Entity {
			typeStr := map[string]string{"user": "user-principal", "client-id": "client-id", "ip": "ip"}[ent.Type]
			if ent.Name != nil {
				parts[ent.Type] = fmt.Sprintf("%s '%s'", typeStr, *ent.Name)
			} else {
				parts[ent.Type] = "the default " + typeStr
			}
		}
		var names []string
		for _, t := range []string{"user", "client-id", "ip"} {
			if p, ok := parts[t]; ok {
				names = append(names, p)
			}
		}
		var vals []string
		for _, v := range e.Values {
			vals = append(vals, v.Key+"="+javaDouble(v.Value))
		}
		sort.Strings(vals)
		text := strings.Join(names, ", ")
		lines = append(lines, line{text, fmt.Sprintf("Quota configs for %s are %s", text, strings.Join(vals, ", "))})
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].key < lines[j].key })
	for _, l := range lines {
		fmt.Fprintln(c.env.Stdout, l.text)
	}
	// SCRAM credentials are described only for named users, without
	// clients (2.8's describeClientQuotaAndUserScramCredentialConfigs).
	if contains(c.types, "clients") || contains(c.names, "") {
		return nil
	}
	req := kmsg.NewPtrDescribeUserSCRAMCredentialsRequest()
	for _, n := range c.names {
		u := kmsg.NewDescribeUserSCRAMCredentialsRequestUser()
		u.Name = n
		req.Users = append(req.Users, u)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || kerr.ErrorForCode(resp.ErrorCode) != nil {
		return nil // a broker without SCRAM support: nothing to add
	}
	for _, r := range resp.Results {
		if err := kerr.ErrorForCode(r.ErrorCode); err != nil {
			msg := err.(*kerr.Error).Description
			if r.ErrorMessage != nil {
				msg = *r.ErrorMessage
			}
			fmt.Fprintf(c.env.Stdout, "Error retrieving SCRAM credential configs for user-principal '%s': %s: %s\n", r.User, javaErrorName(err), msg)
			continue
		}
		var infos []string
		for _, ci := range r.CredentialInfos {
			infos = append(infos, fmt.Sprintf("%s=iterations=%d", kadm.ScramMechanism(ci.Mechanism), ci.Iterations))
		}
		fmt.Fprintf(c.env.Stdout, "SCRAM credential configs for user-principal '%s' are %s\n", r.User, strings.Join(infos, ", "))
	}
	return nil
}
