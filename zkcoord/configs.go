package zkcoord

import (
	"errors"
	"strings"
)

// EntityConfig reads /config/<type>/<name>; a missing node is an empty
// config (Kafka's fetchEntityConfig).
func (c *Client) EntityConfig(entityType, name string) (map[string]string, error) {
	p := EntityConfigPath(entityType, name)
	data, _, err := c.Get(p)
	if errors.Is(err, ErrNoNode) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return DecodeEntityConfig(p, data)
}

// EntityNames lists the entities of one type that have a config node.
func (c *Client) EntityNames(entityType string) ([]string, error) {
	kids, err := c.Children(ConfigPath + "/" + entityType)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	return kids, err
}

// SetEntityConfig replaces an entity's overrides and then creates the
// sequential /config/changes/config_change_ notification every broker
// watches (Kafka's changeEntityConfig). For users and clients, name must be
// sanitized already (SanitizeEntityName).
func (c *Client) SetEntityConfig(entityType, name string, cfg map[string]string) error {
	if err := c.setOrCreateEntityConfig(entityType, name, cfg); err != nil {
		return err
	}
	return c.CreateConfigChangeNotification(entityType + "/" + name)
}

// ChangeTopicConfig is SetEntityConfig for a topic, after checking that the
// topic exists and the overrides are valid (Kafka's changeTopicConfig).
func (c *Client) ChangeTopicConfig(topic string, cfg map[string]string) error {
	ok, err := c.TopicExists(topic)
	if err != nil {
		return err
	}
	if !ok {
		return adminErr(classUnknownTopic, "UNKNOWN_TOPIC_OR_PARTITION", "Topic '%s' does not exist.", topic)
	}
	if err := ValidateTopicConfig(cfg); err != nil {
		return err
	}
	return c.SetEntityConfig(ConfigTypeTopic, topic, cfg)
}

// CreateConfigChangeNotification creates /config/changes/config_change_NNNNNNNNNN
// naming entityPath ("topics/foo", "users/U/clients/C", ...).
func (c *Client) CreateConfigChangeNotification(entityPath string) error {
	data := ConfigChange{EntityPath: strings.TrimPrefix(entityPath, "/")}.Encode()
	_, err := c.Create(ConfigChangeNotificationPath, data, PersistentSequential)
	if errors.Is(err, ErrNoNode) {
		if err := c.EnsurePath(ConfigChangesPath); err != nil {
			return err
		}
		_, err = c.Create(ConfigChangeNotificationPath, data, PersistentSequential)
	}
	return err
}

// setOrCreateEntityConfig writes the config node, creating it (and its
// parents) if missing.
func (c *Client) setOrCreateEntityConfig(entityType, name string, cfg map[string]string) error {
	p := EntityConfigPath(entityType, name)
	data := EncodeEntityConfig(cfg)
	_, err := c.Set(p, data, -1)
	if errors.Is(err, ErrNoNode) {
		err = c.CreateRecursive(p, data)
		if errors.Is(err, ErrNodeExists) {
			_, err = c.Set(p, data, -1)
		}
	}
	return err
}
