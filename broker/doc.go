// Package broker is the Kafka server: listeners and connections, the API
// table with one handler file per API family, the metadata cache fed by the
// controller's UpdateMetadata, the replica manager, the purgatory, and the
// glue that carries out the controller's decisions (zkcoord/controller) over
// the inter-broker listener.
//
// It may import zkcoord, log and protocol; none of them may import it.
package broker
