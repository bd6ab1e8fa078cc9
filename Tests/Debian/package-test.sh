#!/usr/bin/env bash
# The Debian package of `make deb` (issue 20): lintian finds no error and no warning the README does not
# explain; installed with dpkg into a scratch root (this machine is shared, so never into /), the binary
# reports its version, every man page renders, one for firpipe and each subcommand; the bash completion
# loads; systemd-analyze accepts the installed units; and a purge removes every file the package put there.
# Run by `make test` (target test-deb); skipped with a message only when dpkg-deb is missing.
#
#   Tests/Debian/package-test.sh PACKAGE.deb
set -euo pipefail
if ! command -v dpkg-deb >/dev/null; then
    echo "package test skipped: dpkg-deb is not installed (not a Debian system)"; exit 0
fi
deb=$(readlink -f "$1")
W=$(mktemp -d /tmp/firpipe-deb-XXXXXX)
trap 'rm -rf "$W"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# The lintian warnings README.md ("The Debian package") explains (none today); any other warning, or any
# error, fails.
explained_warnings=""

# 1. lintian.
lintian --allow-root --tag-display-limit 0 "$deb" > "$W/lintian.txt" 2>&1 || true
cat "$W/lintian.txt"
if grep -q '^E: ' "$W/lintian.txt"; then fail "lintian reports errors"; else pass "lintian: no errors"; fi
unexplained=$(sed -n 's/^W: firpipe[^:]*: \([^ ]*\).*/\1/p' "$W/lintian.txt" | sort -u \
    | grep -vxF -f <(tr ' ' '\n' <<< "$explained_warnings") || true)
if [ -n "$unexplained" ]; then fail "lintian warnings the README does not explain: $unexplained"
else pass "lintian: every warning explained"; fi

# 2. Install into a scratch root with a dpkg database of its own. The libraries it depends on are the
# host's, not the scratch root's, hence --force-depends.
R=$W/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
touch "$R/var/lib/dpkg/status"
dpkg --root="$R" --force-depends --force-script-chrootless -i "$deb" > "$W/install.txt" 2>&1 \
    || { cat "$W/install.txt"; fail "dpkg -i into the scratch root"; exit 1; }
pass "installed into $R"
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' | sort > "$W/packaged.txt"

# 3. The version: the package's, and the libraries the binary runs with.
version=$(dpkg-deb -f "$deb" Version)
"$R/usr/bin/firpipe" --version > "$W/version.txt"
if head -1 "$W/version.txt" | grep -Eq "^firpipe $version \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$" \
    && sed -n 2p "$W/version.txt" | grep -q "^fftw-$(pkg-config --modversion fftw3f)" \
    && [ "$(sed -n 3p "$W/version.txt")" = "libsndfile-$(pkg-config --modversion sndfile)" ]; then
    pass "firpipe --version: $(tr '\n' ' ' < "$W/version.txt")"
else
    fail "firpipe --version printed: $(cat "$W/version.txt")"
fi

# 3b. Depends asks for a libc6 at least as new as every glibc version the binary names: the highest
# GLIBC_2.x, and 2.36 for GLIBC_ABI_DT_RELR (packed relocations), which dpkg-shlibdeps does not count.
versions=$(readelf -V -W "$R/usr/bin/firpipe" | grep -o 'GLIBC_\(2\.[0-9.]*\|ABI_DT_RELR\)' \
    | sed 's/GLIBC_ABI_DT_RELR/2.36/; s/GLIBC_//' | sort -uV || true)
needed=$(tail -1 <<< "$versions")
declared=$(dpkg-deb -f "$deb" Depends | grep -o 'libc6 (>= [^)]*)' | sed 's/libc6 (>= \(.*\))/\1/' || true)
if [ -n "$needed" ] && [ -n "$declared" ] && dpkg --compare-versions "$declared" ge "$needed"; then
    pass "Depends: libc6 (>= $declared) covers glibc $needed, the newest the binary names"
else
    fail "Depends says libc6 (>= ${declared:-?}) but the binary names glibc ${needed:-?}"
fi

# 4. A man page for firpipe and one for each subcommand its help lists, at every level (firpipe-kernel-trim),
# each rendering without a warning from groff.
subcommands() {  # the page names under the command "$@", from its own --help
    "$R/usr/bin/firpipe" "$@" --help < /dev/null | sed -n '/^SUBCOMMANDS:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' \
        | while read -r sub; do
        echo "firpipe-$(IFS=-; echo "$*${*:+-}$sub")"
        subcommands "$@" "$sub"
    done
}
for name in firpipe $(subcommands); do
    [ -f "$R/usr/share/man/man1/$name.1.gz" ] || fail "no man page $name.1.gz"
done
pages=("$R"/usr/share/man/man1/*.1.gz)
for page in "${pages[@]}"; do
    if ! MANWIDTH=80 man --warnings -l "$page" > "$W/page.txt" 2> "$W/page.err" || [ -s "$W/page.err" ] \
        || ! grep -q "^NAME" "$W/page.txt"; then
        fail "man -l $(basename "$page"): $(head -3 "$W/page.err")"
    fi
done
pass "man -l renders all ${#pages[@]} man pages, one for firpipe and each subcommand"

# 5. Completions: bash's registers itself; zsh's and fish's are where those shells look, and parse.
completion=$R/usr/share/bash-completion/completions/firpipe
if bash -c "source '$completion' && complete -p firpipe" > "$W/complete.txt" 2>&1 \
    && grep -q "firpipe$" "$W/complete.txt"; then
    pass "bash: $(cat "$W/complete.txt")"
else
    fail "bash completion does not load: $(cat "$W/complete.txt")"
fi
for file in usr/share/zsh/vendor-completions/_firpipe usr/share/fish/vendor_completions.d/firpipe.fish; do
    [ -s "$R/$file" ] || fail "no $file"
done
if command -v zsh >/dev/null; then zsh -n "$R/usr/share/zsh/vendor-completions/_firpipe" || fail "zsh -n"; fi
if command -v fish >/dev/null; then fish -n "$R/usr/share/fish/vendor_completions.d/firpipe.fish" || fail "fish -n"; fi

# 6. The installed units, checked by systemd's own verifier as it checks systemd/ (SystemdUnitTests). The
# scratch root has no systemd of its own (no sysinit.target, no /bin/kill), so each unit is verified as a
# copy whose ExecStart names the binary inside the scratch root, the template as an instance.
mkdir -p "$W/units"
for unit in firpipe.service firpipe@.service firpipe-device@.service; do
    installed=$R/lib/systemd/system/$unit
    grep -q '^ExecStart=/usr/bin/firpipe serve ' "$installed" || fail "$unit does not start /usr/bin/firpipe"
    instance=${unit/@./@room.}
    sed "s|/usr/bin/firpipe|$R/usr/bin/firpipe|g" "$installed" > "$W/units/$instance"
    if systemd-analyze verify "$W/units/$instance" > "$W/verify.txt" 2>&1 && ! grep -q firpipe "$W/verify.txt"; then
        pass "systemd-analyze verify $unit (as $instance)"
    else
        fail "systemd-analyze verify $unit: $(cat "$W/verify.txt")"
    fi
done

# 7. Purge: nothing the package installed is left, /etc/firpipe included.
dpkg --root="$R" --force-script-chrootless --purge firpipe > "$W/purge.txt" 2>&1 \
    || { cat "$W/purge.txt"; fail "dpkg --purge"; }
# In the scratch root the package is the only owner of every directory it names, so all of them go too.
left=$(while read -r path; do [ ! -e "$R$path" ] || echo "$path"; done < "$W/packaged.txt")
stray=$(cd "$R" && find . -mindepth 1 ! -path './var' ! -path './var/lib' ! -path './var/lib/dpkg*' | sed 's|^\.||')
if [ -n "$left$stray" ]; then fail "left after purge: $left $stray"
else pass "purge removed all $(grep -c . "$W/packaged.txt") packaged paths, /etc/firpipe included"; fi

[ "$failures" = 0 ] || { echo "package test: $failures failure(s)" >&2; exit 1; }
echo "package test: all checks passed"
