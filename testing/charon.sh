# Run Debian's real charon with the freshly built mike plugin, one daemon per
# network namespace: a private /run (the pid file is hard-coded there), its
# own strongswan.conf (STRONGSWAN_CONF), its own vici and mike sockets and
# log in the node's directory, and the plugin directory bind-mounted with the
# system's plugins plus ours.  Nothing of the host is changed.
#
#   charon_plugins BUILDDIR PLUGINDIR  copy the system's plugins and ours
#   charon_conf DIR [MIKE_SECTION]     write DIR/strongswan.conf
#   charon_start NS DIR PLUGINDIR      start charon in NS, wait for vici
#   charon_swanctl DIR ARGS...         swanctl against the node's charon
#   charon_stop DIR                    stop it (TERM), wait until it is gone

CHARON=/usr/lib/ipsec/charon
CHARON_PLUGINDIR=/usr/lib/ipsec/plugins

charon_plugins() {
	local builddir=$1 dir=$2
	mkdir -p "$dir"
	# copies: links into the directory would point at the mount itself
	cp "$CHARON_PLUGINDIR"/*.so "$dir/" &&
	cp "$builddir/src/libcharon/plugins/mike/.libs/libstrongswan-mike.so" "$dir/"
}

charon_conf() {
	local dir=$1 mike=${2:-}
	cat > "$dir/strongswan.conf" <<EOF
charon {
	load_modular = yes
	install_routes = no
	plugins {
		include /etc/strongswan.d/charon/*.conf
		mike {
			load = yes
			socket = unix://$dir/charon.mike
			$mike
		}
		vici {
			socket = unix://$dir/charon.vici
		}
		ha {
			load = no
		}
	}
	filelog {
		node {
			path = $dir/charon.log
			default = 1
			knl = 2
			flush_line = yes
		}
	}
}
EOF
}

charon_start() {
	local ns=$1 dir=$2 plugins=$3
	rm -f "$dir/charon.vici" "$dir/charon.pid"
	ip netns exec "$ns" sh -c '
		mount -t tmpfs tmpfs /run &&
		mount --bind "$2" "$3" &&
		echo $$ > "$1/charon.pid" &&
		STRONGSWAN_CONF="$1/strongswan.conf" exec "$4"' \
		sh "$dir" "$plugins" "$CHARON_PLUGINDIR" "$CHARON" \
		> "$dir/charon.out" 2>&1 &
	wait_for 30 test -S "$dir/charon.vici"
}

charon_swanctl() {
	local dir=$1; shift
	swanctl "$@" --uri "unix://$dir/charon.vici"
}

charon_stop() {
	local dir=$1 pid
	[ -f "$dir/charon.pid" ] || return 0
	pid=$(cat "$dir/charon.pid")
	kill "$pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
	rm -f "$dir/charon.pid"
}
