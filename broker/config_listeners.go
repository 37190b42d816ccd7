package broker

// Listener parsing and validation, as Kafka's EndPoint.createEndPoint and
// KafkaConfig.validateValues do it.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Endpoint is one listener: "NAME://host:port". Name is the listener name,
// upper-cased as Kafka normalises it; SecurityProtocol comes from
// listener.security.protocol.map. An empty Host binds every interface.
type Endpoint struct {
	Name             string
	Host             string
	Port             int32
	SecurityProtocol string
}

// String renders the endpoint as Kafka's EndPoint.connectionString does.
func (e Endpoint) String() string {
	return e.Name + "://" + net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port)))
}

// Addr is the host:port to bind or dial.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port))) }

// endpointRE is EndPoint.uriParseExp: "NAME://host:port", host possibly
// bracketed (IPv6) or empty.
var endpointRE = regexp.MustCompile(`^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$`)

// SecurityProtocolMap parses listener.security.protocol.map.
func (c *Config) SecurityProtocolMap() (map[string]string, error) {
	m := map[string]string{}
	for _, entry := range splitList(c.ListenerSecurityProtocolMap) {
		name, proto, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, &ConfigError{Name: "listener.security.protocol.map", Value: c.ListenerSecurityProtocolMap,
				Reason: "Map entry should be of form <key><separator><value"}
		}
		m[strings.ToUpper(strings.TrimSpace(name))] = strings.ToUpper(strings.TrimSpace(proto))
	}
	return m, nil
}

func (c *Config) parseEndpoints(list string) ([]Endpoint, error) {
	protos, err := c.SecurityProtocolMap()
	if err != nil {
		return nil, err
	}
	var eps []Endpoint
	for _, s := range splitList(list) {
		m := endpointRE.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("Unable to parse %s to a broker endpoint", s)
		}
		port, err := strconv.ParseInt(m[3], 10, 32)
		if err != nil || port < 0 || port > 65535 {
			return nil, fmt.Errorf("Unable to parse %s to a broker endpoint", s)
		}
		name := strings.ToUpper(m[1])
		proto, ok := protos[name]
		if !ok {
			return nil, fmt.Errorf("No security protocol defined for listener %s", name)
		}
		eps = append(eps, Endpoint{Name: name, Host: m[2], Port: int32(port), SecurityProtocol: proto})
	}
	return eps, nil
}

// ListenerEndpoints returns the listeners to bind: listeners, or, when it is
// unset, PLAINTEXT://host.name:port (so PLAINTEXT://:9092 by default).
func (c *Config) ListenerEndpoints() ([]Endpoint, error) {
	list := c.Listeners
	if list == "" {
		list = "PLAINTEXT://" + net.JoinHostPort(c.HostName, strconv.Itoa(int(c.Port)))
	}
	return c.parseEndpoints(list)
}

// AdvertisedEndpoints returns the listeners to register in ZooKeeper:
// advertised.listeners, else the deprecated advertised.host.name/port
// pair, else the listeners. An empty host becomes the machine's canonical
// host name, as KafkaServer.createBrokerInfo does.
func (c *Config) AdvertisedEndpoints() ([]Endpoint, error) {
	var eps []Endpoint
	var err error
	switch {
	case c.AdvertisedListeners != "":
		eps, err = c.parseEndpoints(c.AdvertisedListeners)
	case c.AdvertisedHostName != "" || c.AdvertisedPort != nil:
		host, port := c.AdvertisedHostName, c.Port
		if host == "" {
			host = c.HostName
		}
		if c.AdvertisedPort != nil {
			port = *c.AdvertisedPort
		}
		eps, err = c.parseEndpoints("PLAINTEXT://" + net.JoinHostPort(host, strconv.Itoa(int(port))))
	default:
		eps, err = c.ListenerEndpoints()
	}
	if err != nil {
		return nil, err
	}
	for i := range eps {
		if strings.TrimSpace(eps[i].Host) == "" {
			eps[i].Host = CanonicalHostName()
		}
	}
	return eps, nil
}

// InterBrokerListener is the listener name brokers use among themselves:
// inter.broker.listener.name, else the name equal to
// security.inter.broker.protocol.
func (c *Config) InterBrokerListener() string {
	if c.InterBrokerListenerName != "" {
		return strings.ToUpper(c.InterBrokerListenerName)
	}
	return c.SecurityInterBrokerProtocol
}

var canonicalHost struct {
	once sync.Once
	name string
}

// CanonicalHostName is Java's InetAddress.getLocalHost().getCanonicalHostName():
// the host name, resolved and reverse-resolved when possible. Computed once.
func CanonicalHostName() string {
	canonicalHost.once.Do(func() {
		h, err := os.Hostname()
		if err != nil || h == "" {
			canonicalHost.name = "localhost"
			return
		}
		canonicalHost.name = h
		addrs, err := net.LookupHost(h)
		if err != nil || len(addrs) == 0 {
			return
		}
		if names, err := net.LookupAddr(addrs[0]); err == nil && len(names) > 0 {
			canonicalHost.name = strings.TrimSuffix(names[0], ".")
		}
	})
	return canonicalHost.name
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// validateListeners is the listener part of KafkaConfig.validateValues.
func (c *Config) validateListeners() error {
	if c.IsSet("inter.broker.listener.name") && c.IsSet("security.inter.broker.protocol") {
		return errors.New("Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.")
	}
	listeners, err := c.ListenerEndpoints()
	if err != nil {
		return err
	}
	if err := uniqueEndpoints("listeners", c.Listeners, listeners); err != nil {
		return err
	}
	var advertised []Endpoint
	if c.AdvertisedListeners != "" {
		if advertised, err = c.parseEndpoints(c.AdvertisedListeners); err != nil {
			return err
		}
		if err := uniqueEndpoints("advertised.listeners", c.AdvertisedListeners, advertised); err != nil {
			return err
		}
	} else {
		advertised = listeners
	}
	listenerNames := map[string]bool{}
	var names []string
	for _, e := range listeners {
		listenerNames[e.Name] = true
		names = append(names, e.Name)
	}
	var advNames []string
	for _, e := range advertised {
		if e.Host == "0.0.0.0" {
			return errors.New("requirement failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.")
		}
		if !listenerNames[e.Name] {
			return fmt.Errorf("requirement failed: advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found %s. The valid options based on the current configuration are %s",
				e.Name, strings.Join(names, ","))
		}
		advNames = append(advNames, e.Name)
	}
	ib := c.InterBrokerListener()
	found := false
	for _, n := range advNames {
		found = found || n == ib
	}
	if !found {
		return fmt.Errorf("requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are %s",
			strings.Join(advNames, ","))
	}
	return nil
}

func uniqueEndpoints(prop, raw string, eps []Endpoint) error {
	names, ports := map[string]bool{}, map[int32]bool{}
	for _, e := range eps {
		if names[e.Name] {
			return fmt.Errorf("requirement failed: Each listener must have a different name, %s: %s", prop, raw)
		}
		names[e.Name] = true
		// Port 0 (pick a free port) may repeat.
		if e.Port != 0 && ports[e.Port] {
			return fmt.Errorf("requirement failed: Each listener must have a different port, %s: %s", prop, raw)
		}
		ports[e.Port] = true
	}
	return nil
}
