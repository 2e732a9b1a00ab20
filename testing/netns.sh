# A small LAN of network namespaces for demos and tests: one namespace holds
# a bridge (the switch), each host namespace is attached to it by a veth
# pair and gets an IPv4 and an IPv6 address and multicast routes.  Nothing
# is configured in the caller's namespace.
#
#   lan_create PREFIX HOST...    hosts become namespaces PREFIX-HOST with
#                                addresses 10.99.0.N/24 and fd99::N/64
#   lan_exec PREFIX HOST CMD...  run CMD in a host's namespace
#   lan_destroy PREFIX           remove every namespace of the LAN

lan_create() {
	local prefix=$1; shift
	local sw="$prefix-lan" n=1 host ns
	ip netns add "$sw" || return 1
	ip -n "$sw" link set lo up
	ip -n "$sw" link add br0 type bridge
	# no IGMP snooping: the bridge floods multicast like a plain switch
	ip -n "$sw" link set br0 type bridge mcast_snooping 0
	ip -n "$sw" link set br0 up
	for host in "$@"; do
		ns="$prefix-$host"
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip link add eth0 netns "$ns" type veth peer name "p$n" netns "$sw"
		ip -n "$sw" link set "p$n" master br0 up
		# new namespaces copy rp_filter from the root namespace; a strict
		# filter would drop multicast from a source it has no route to
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
		ip -n "$ns" addr add "10.99.0.$n/24" dev eth0
		ip -n "$ns" addr add "fd99::$n/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.eth0.rp_filter=0
		# without a route to 224.0.0.0/4 sendto() fails with ENETUNREACH;
		# IPv6 gets ff00::/8 on every interface by itself
		ip -n "$ns" route add 224.0.0.0/4 dev eth0
		n=$((n + 1))
	done
}

lan_exec() {
	local prefix=$1 host=$2; shift 2
	ip netns exec "$prefix-$host" "$@"
}

lan_destroy() {
	local prefix=$1 ns
	for ns in $(ip netns list | awk '{print $1}'); do
		case "$ns" in "$prefix"-*) ip netns del "$ns" ;; esac
	done
}
