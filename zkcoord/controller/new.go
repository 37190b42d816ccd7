package controller

import (
	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// New returns the controller component of broker cfg.BrokerID. It does nothing until Start.
// The broker must call OnSessionExpired and, after re-registering itself,
// OnSessionReestablished (zkcoord.Client's hooks), and Close before closing the client.
func New(client *zkcoord.Client, cfg Config, ch BrokerChannel, lg *zap.Logger) *Controller {
	return newController(chrootConn{conn: client.Conn(), root: client.Chroot()}, cfg, ch, lg)
}
