# Run Debian's real charon with the freshly built mike plugin, one daemon per
# network namespace: a private /run (the pid file is hard-coded there), its
# own strongswan.conf (STRONGSWAN_CONF), its own vici and mike sockets and
# log in the node's directory, and the plugin directory bind-mounted with the
# system's plugins plus ours.  Nothing of the host is changed.
#
#   charon_plugins BUILDDIR PLUGINDIR  copy the system's plugins and ours
#   charon_conf DIR [MIKE_SECTION [CHARON_SECTION]]
#                                      write DIR/strongswan.conf, with extra
#                                      lines for charon.plugins.mike / charon;
#                                      \$charon_log_extra: further lines for
#                                      the filelog (e.g. "ike = 4" to log IKE
#                                      keys, "cfg = 4" for the rekey SA's)
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
	local dir=$1 mike=${2:-} charon=${3:-}
	cat > "$dir/strongswan.conf" <<EOF
charon {
	load_modular = yes
	install_routes = no
	$charon
	plugins {
		include /etc/strongswan.d/charon/*.conf
		mike {
			load = yes
			socket = unix://$dir/charon.mike
			database = $dir/mike.db
			$mike
		}
		vici {
			socket = unix://$dir/charon.vici
		}
		ha {
			load = no
		}
		# Debian's forecast intercepts every multicast packet (the
		# groups' ESP too) in every charon and logs it, farp answers ARP:
		# neither has a part in the tests, and under TCG with many
		# charons their work starves the rest
		forecast {
			load = no
		}
		farp {
			load = no
		}
	}
	filelog {
		node {
			path = $dir/charon.log
			default = 1
			knl = 2
			# the plugin's per-rollover and per-message lines are at
			# level 2, as upstream logs such events; the tests read them
			cfg = 2
			net = 2
			${charon_log_extra:-}
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

# The per-node layout of the scenarios: node N lives in namespace
# $lan-N with its files in $tmp/N (strongswan.conf, charon.log, sockets)
# and $tmp/N/swanctl (swanctl.conf, x509/, x509ca/, private/).
#
#   node_pki NODE...        a CA in $tmp/pki and a certificate per node,
#                           identity N.mike.test (DN and SAN), ed25519
#                           (pki_ca, pki_issue: further CAs and certificates)
#   node_swanctl N ARGS...  swanctl against node N, with its SWANCTL_DIR
#   node_mikectl N ARGS...  mikectl against node N ($builddir's)
#   node_start N            start N's charon, load its connections,
#                           credentials and groups
#   node_kill N             SIGKILL N's charon: no goodbye, its kernel SAs
#                           and policies stay

node_pki() {
	local n
	mkdir -p "$tmp/pki"
	# pki complains on stderr about every plugin of its list Debian does not
	# ship; keep that out of the way
	exec 3>&2 2>>"$tmp/pki/pki.log"
	pki_ca ca "mike test CA"
	for n in "$@"; do
		pki_issue ca "$n" "$n.mike.test"
	done
	exec 2>&3 3>&-
	[ -s "$tmp/pki/ca.crt" ] || { cat "$tmp/pki/pki.log" >&2; return 1; }
}

# pki_ca CA CN: a self-signed CA $tmp/pki/CA.{key,crt} (ed25519)
pki_ca() {
	pki --gen --type ed25519 --outform pem > "$tmp/pki/$1.key"
	pki --self --ca --lifetime 30 --in "$tmp/pki/$1.key" --type ed25519 \
		--dn "C=CH, O=mike test, CN=$2" --outform pem > "$tmp/pki/$1.crt"
}

# pki_issue CA N ID: node N's key and certificate for identity ID (DN and
# SAN) issued by CA, in $tmp/N/swanctl, with CA's certificate as its trust
# anchor
pki_issue() {
	local ca=$1 n=$2 id=$3 dir=$tmp/$2/swanctl
	mkdir -p "$dir/x509" "$dir/x509ca" "$dir/private"
	pki --gen --type ed25519 --outform pem > "$dir/private/$n.key"
	pki --issue --lifetime 30 --cacert "$tmp/pki/$ca.crt" \
		--cakey "$tmp/pki/$ca.key" --type priv --in "$dir/private/$n.key" \
		--dn "C=CH, O=mike test, CN=$id" --san "$id" \
		--outform pem > "$dir/x509/$n.crt"
	cp "$tmp/pki/$ca.crt" "$dir/x509ca/"
}

node_swanctl() {
	local n=$1; shift
	SWANCTL_DIR=$tmp/$n/swanctl charon_swanctl "$tmp/$n" "$@"
}

node_mikectl() {
	local n=$1; shift
	"$builddir/src/mikectl/mikectl" --uri "unix://$tmp/$n/charon.mike" "$@"
}

node_start() {
	charon_start "$lan-$1" "$tmp/$1" "$tmp/plugins" ||
		fail_all "charon did not start in $1"
	node_swanctl "$1" --load-all --noprompt > /dev/null 2>&1 ||
		fail_all "swanctl --load-all failed in $1"
	node_mikectl "$1" --load-groups --file "$tmp/$1/swanctl/swanctl.conf" \
		> /dev/null 2>&1 || fail_all "mikectl --load-groups failed in $1"
}

node_kill() {
	local pid
	pid=$(cat "$tmp/$1/charon.pid")
	kill -9 "$pid"
	wait "$pid" 2>/dev/null		# reaped quietly, no "Killed" from bash
	rm -f "$tmp/$1/charon.pid"
}

# conf_groups LINE ARGS...: a groups section; ARGS are the keys of the
# group "news", one a line, until an argument "[NAME]" starts the group
# NAME; every group opens with LINE unless it sets LINE's key itself
conf_groups() {
	local line=$1 key=${1%%=*} arg name= body=
	shift
	case "${1:-}" in \[*\]) ;; *) set -- "[news]" "$@" ;; esac
	printf 'groups {\n'
	for arg in "$@" "[]"; do
		case "$arg" in
		\[*\])
			if [ -n "$name" ]; then
				printf '\t%s {\n' "$name"
				case "$body" in
				*"		$key"*) ;;
				*) printf '\t\t%s\n' "$line" ;;
				esac
				printf '%s\t}\n' "$body"
			fi
			name=${arg#[}
			name=${name%]}
			body= ;;
		*)	body+=$'\t\t'"$arg"$'\n' ;;
		esac
	done
	printf '}\n'
}

# node_gcks_conf N GROUP-KEYS...: swanctl.conf of a GCKS node that takes
# members authenticated with certificates of the test CA, with the GCKS
# group "news" (role = gcks plus the keys given, one a line; "[NAME]"
# starts a further group, see conf_groups)
node_gcks_conf() {
	local n=$1; shift
	{
		cat <<EOF
connections {
	members {
		local {
			auth = pubkey
			certs = $n.crt
			id = $n.mike.test
		}
		remote {
			auth = pubkey
		}
	}
}
EOF
		conf_groups "role = gcks" "$@"
	} > "$tmp/$n/swanctl/swanctl.conf"
}

# member_connection NAME N ADDRESS: the connection NAME of member node N to
# the GCKS at ADDRESS (certificate N.crt, the GCKS is gcks.mike.test)
member_connection() {
	cat <<EOF
	$1 {
		remote_addrs = $3
		local {
			auth = pubkey
			certs = $2.crt
			id = $2.mike.test
		}
		remote {
			auth = pubkey
			id = gcks.mike.test
		}
	}
EOF
}

# node_member_conf N GROUP-KEYS...: swanctl.conf of a member node with the
# connection "gcks" to the GCKS at 10.99.0.1 and the member group "news"
# registered over it (the keys given, one a line; "[NAME]" starts a further
# group, see conf_groups)
node_member_conf() {
	local n=$1; shift
	{
		echo "connections {"
		member_connection gcks "$n" 10.99.0.1
		echo "}"
		conf_groups "connection = gcks" "$@"
	} > "$tmp/$n/swanctl/swanctl.conf"
}
