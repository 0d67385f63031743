#!/usr/bin/env bats
# The man pages (man/man8, man/man5) against the commands: every command
# has one, and the long options a command's --help prints are exactly the
# long options its page names (both ways), so that they cannot drift; and
# every long option a C command's getopt_long table accepts is in its --help.
# "Long" means more than one letter after the dash(es): --active, and the
# guide's one-dash -nomount and -force. Needs userland built (make userland).

load helpers

BIN=$REPO/userland/bin
MAN=$REPO/man

# The commands: userland/cmd/*.c, clpmgrd, userland/scripts/*.sh.
commands() {
	local f
	for f in "$REPO"/userland/cmd/*.c; do basename "$f" .c; done
	echo clpmgrd
	for f in "$REPO"/userland/scripts/*.sh; do basename "$f"; done
}

cmd_path() {
	case $1 in
	*.sh) echo "$REPO/userland/scripts/$1" ;;
	*) echo "$BIN/$1" ;;
	esac
}

# Long options in text on stdin, one per line, sorted.
long_opts() {
	grep -oE '(^|[^A-Za-z0-9_-])--?[a-z][a-z0-9]+(-[a-z0-9]+)*' | sed -E 's/^[^-]*//' | sort -u
}

# A page's text as written: comments dropped, roff's \- and font escapes undone.
man_text() {
	grep -v '^\.\\"' "$1" | sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\f\(..//g'
}

@test "every command has a man page in section 8, and clp.conf one in section 5" {
	local c missing=()
	for c in $(commands); do
		[ -f "$MAN/man8/$c.8" ] || missing+=("$c")
	done
	[ -f "$MAN/man5/clp.conf.5" ] || missing+=(clp.conf.5)
	assert_equal "${missing[*]}" ""
}

@test "each command's --help and its man page name the same long options" {
	local c p bad=0 help man
	for c in $(commands); do
		p=$(cmd_path "$c")
		[ -x "$p" ] || fail "$p is not built (make userland)"
		help=$("$p" --help 2>&1 | long_opts)
		[ -n "$help" ] || fail "$c --help lists no long option"
		man=$(man_text "$MAN/man8/$c.8" | long_opts)
		if [ "$help" != "$man" ]; then
			echo "# $c: < only in --help, > only in $c.8" >&3
			diff <(echo "$help") <(echo "$man") | grep '^[<>]' | sed 's/^/#   /' >&3
			bad=1
		fi
	done
	[ "$bad" = 0 ]
}

# A C command's source: its getopt_long table.
cmd_src() {
	case $1 in
	clpmgrd) echo "$REPO/userland/mgr/main.c" ;;
	clpmdctrl | clphdctrl) echo "$REPO/userland/lib/clp_md_ctl.c" ;;
	*) echo "$REPO/userland/cmd/$1.c" ;;
	esac
}

@test "every long option a C command accepts (its getopt_long table) is in its --help (and so in its man page)" {
	local c o src opts help bad=0 n=0
	for c in $(commands); do
		[[ $c == *.sh ]] && continue
		src=$(cmd_src "$c")
		opts=$(grep -oE '\{ *"[a-z][a-z0-9-]+", *(no|required|optional)_argument' "$src" |
			sed -E 's/^\{ *"([^"]+)".*/\1/' | sort -u)
		[ -n "$opts" ] || fail "no getopt_long table found in $src"
		help=$("$(cmd_path "$c")" --help 2>&1)
		for o in $opts; do
			n=$((n + 1))
			# --help itself need not list --help.
			[ "$o" = help ] && continue
			grep -qE -- "(^|[^a-z-])--?$o([^a-z0-9-]|$)" <<<"$help" ||
				{ echo "# $c accepts --$o but its --help does not say so" >&3; bad=1; }
		done
	done
	[ "$n" -gt 20 ]
	[ "$bad" = 0 ]
}

@test "the man pages format without warnings and have the sections" {
	command -v man >/dev/null || skip "man-db is not installed"
	local f out
	for f in "$MAN"/man8/*.8 "$MAN"/man5/*.5; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
		assert_equal "$(basename "$f"): $out" "$(basename "$f"): "
		for s in NAME SYNOPSIS 'SEE ALSO'; do
			grep -q "^\.SH \"\?$s" "$f" || fail "$f has no $s section"
		done
	done
	for f in "$MAN"/man8/*.8; do
		grep -q '^\.SH "\?EXIT STATUS' "$f" || fail "$f has no EXIT STATUS section"
	done
}

@test "SEE ALSO names only pages that exist (or systemctl)" {
	local f ref
	for f in "$MAN"/man8/*.8 "$MAN"/man5/*.5; do
		while read -r ref; do
			case $ref in
			systemctl\(1\)) continue ;;
			esac
			local name=${ref%(*} sec=${ref#*(}
			sec=${sec%)}
			[ -f "$MAN/man$sec/$name.$sec" ] || fail "$f: SEE ALSO $ref has no page"
		done < <(sed -n '/^\.SH "\?SEE ALSO/,$p' "$f" | grep -oE '^\.BR [a-z.]+ \([0-9]\)' | sed -E 's/^\.BR ([a-z.]+) \(([0-9])\)/\1(\2)/')
	done
}
