//! The cluster options the bus state machine obeys (`cluster-*` settings of
//! redis.conf), with Redis 7.0's defaults.
//!
//! What it does not do: parse config files or CONFIG SET arguments (that is
//! `shoal-config`'s job). The driver builds a [`ClusterConfig`] and hands it
//! to [`crate::node::ClusterNode::new`]; [`crate::node::ClusterNode::set_config`]
//! replaces it at run time.

use crate::texts::EndpointOptions;

/// Cluster options. Every field is public; [`ClusterConfig::new`] gives the
/// 7.0 defaults for a node whose client port is `port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// The client port this node listens on (the TLS port in a TLS cluster).
    pub port: u16,
    /// `cluster-port`: the bus port this node listens on; 0 means
    /// `port + 10000`.
    pub cluster_port: u16,
    /// Plaintext client port when the main port is TLS (`pport` on the
    /// wire), else 0.
    pub pport: u16,
    /// `cluster-announce-ip`: sent in every header; when set, this node
    /// never learns its own IP from the sockets peers reach it on.
    pub announce_ip: Option<String>,
    /// `cluster-announce-port` (0: unset).
    pub announce_port: u16,
    /// `cluster-announce-bus-port` (0: unset).
    pub announce_bus_port: u16,
    /// `cluster-announce-hostname`: sent as a hostname ping extension
    /// when non-empty.
    pub announce_hostname: String,
    /// `cluster-node-timeout` in milliseconds (15000).
    pub node_timeout_ms: u64,
    /// `cluster-require-full-coverage` (yes).
    pub require_full_coverage: bool,
    /// `cluster-allow-reads-when-down` (no). Not used by the bus; kept
    /// here so the routing layer reads one config.
    pub allow_reads_when_down: bool,
    /// `cluster-replica-validity-factor` (10; 0 disables the data-age check).
    pub replica_validity_factor: u64,
    /// `repl-ping-replica-period` in seconds (10), part of the data-age
    /// limit for automatic failover.
    pub repl_ping_replica_period_s: u64,
    /// `cluster-migration-barrier` (1).
    pub migration_barrier: usize,
    /// `cluster-allow-replica-migration` (yes).
    pub allow_replica_migration: bool,
    /// `cluster-replica-no-failover` (no): this replica never starts an
    /// automatic failover and advertises NOFAILOVER.
    pub replica_no_failover: bool,
    /// How endpoints are shown in CLUSTER SLOTS / SHARDS replies.
    pub endpoints: EndpointOptions,
}

impl ClusterConfig {
    /// The 7.0 defaults for a node listening for clients on `port`.
    pub fn new(port: u16) -> ClusterConfig {
        ClusterConfig {
            port,
            cluster_port: 0,
            pport: 0,
            announce_ip: None,
            announce_port: 0,
            announce_bus_port: 0,
            announce_hostname: String::new(),
            node_timeout_ms: 15_000,
            require_full_coverage: true,
            allow_reads_when_down: false,
            replica_validity_factor: 10,
            repl_ping_replica_period_s: 10,
            migration_barrier: 1,
            allow_replica_migration: true,
            replica_no_failover: false,
            endpoints: EndpointOptions::default(),
        }
    }

    /// The client port put in headers: the announced one if set.
    pub fn announced_port(&self) -> u16 {
        if self.announce_port != 0 {
            self.announce_port
        } else {
            self.port
        }
    }

    /// The bus port put in headers: announced, else `cluster-port`, else
    /// `port + 10000`.
    pub fn announced_cport(&self) -> u16 {
        if self.announce_bus_port != 0 {
            self.announce_bus_port
        } else {
            self.bus_port()
        }
    }

    /// The bus port to listen on: `cluster-port`, else `port + 10000`
    /// (wrapping as Redis's 16-bit arithmetic would; the server refuses
    /// ports above 55535 without `cluster-port` before getting here).
    pub fn bus_port(&self) -> u16 {
        if self.cluster_port != 0 {
            self.cluster_port
        } else {
            self.port.wrapping_add(10_000)
        }
    }

    /// Handshake nodes older than this are dropped: the node timeout, at
    /// least one second.
    pub fn handshake_timeout_ms(&self) -> u64 {
        self.node_timeout_ms.max(1000)
    }

    /// How long a primary that was with the minority keeps refusing
    /// queries after the partition heals: the node timeout clamped to
    /// 500..=5000 ms.
    pub fn rejoin_delay_ms(&self) -> u64 {
        self.node_timeout_ms.clamp(500, 5000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_ports_fall_back_to_the_listening_ones() {
        let mut c = ClusterConfig::new(7000);
        assert_eq!((c.announced_port(), c.announced_cport()), (7000, 17000));
        c.cluster_port = 7100;
        assert_eq!(c.announced_cport(), 7100);
        c.announce_bus_port = 7200;
        c.announce_port = 7300;
        assert_eq!((c.announced_port(), c.announced_cport()), (7300, 7200));
        assert_eq!(c.bus_port(), 7100);
    }

    #[test]
    fn derived_timeouts_are_clamped() {
        let mut c = ClusterConfig::new(7000);
        c.node_timeout_ms = 200;
        assert_eq!((c.handshake_timeout_ms(), c.rejoin_delay_ms()), (1000, 500));
        c.node_timeout_ms = 15_000;
        assert_eq!(
            (c.handshake_timeout_ms(), c.rejoin_delay_ms()),
            (15_000, 5000)
        );
    }
}
