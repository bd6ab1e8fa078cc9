#!/usr/bin/env bash
# Builds firpipe_VERSION_ARCH.deb with dpkg-deb from the binary `make build` made; `make deb` runs it.
#   deploy/debian/build-deb.sh BINARY MANUAL_TOOL WORK_DIR
# MANUAL_TOOL is swift-argument-parser's generate-manual (the tool of its GenerateManual plugin); the man
# pages and the completions come from the binary's own help, so nothing here repeats an option.
# Prints the path of the package on its last line.
set -euo pipefail

bin=$1
manual_tool=$2
work=$(realpath -m "$3")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

# The version is written once, in the binary (Sources/firpipe/BuildVersion.swift); the changelog's first
# entry must name the same.
version=$("$bin" --version | sed -n '1s/^firpipe \([^ ]*\) .*/\1/p')
logged=$(sed -n '1s/^firpipe (\([^)]*\)).*/\1/p' "$here/changelog")
if [ -z "$version" ] || [ "$version" != "$logged" ]; then
    echo "build-deb: the binary says version '$version' but deploy/debian/changelog's first entry says" \
        "'$logged'; add a changelog entry for the new version" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)
# Dates in the package come from the changelog, so the same commit gives the same man pages.
released=$(sed -n 's/^ -- .*>  \(.*\)$/\1/p' "$here/changelog" | head -1)
export SOURCE_DATE_EPOCH=$(date -d "$released" +%s)

rm -rf "$work"
root=$work/root
mkdir -p "$root/DEBIAN" "$work/man" "$work/src/debian"

install -D -m755 "$bin" "$root/usr/bin/firpipe"
# Debian ships binaries without debugging symbols (lintian: unstripped-binary-or-object).
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/firpipe"
firpipe=$root/usr/bin/firpipe

# The units as in systemd/, with the binary where the package puts it.
# The sound-card variant comes with its JACK drop-in, under the directory systemd reads drop-ins from.
for unit in firpipe.service firpipe@.service firpipe-device@.service firpipe-device@.service.d/jack.conf; do
    mkdir -p "$(dirname "$root/lib/systemd/system/$unit")"
    sed 's|/usr/local/bin/firpipe|/usr/bin/firpipe|g' "$repo/systemd/$unit" > "$root/lib/systemd/system/$unit"
done

# One man page for firpipe and one for each subcommand: firpipe-SUBCOMMAND.1 (man-names.awk says why).
"$manual_tool" "$firpipe" --multi-page --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)" \
    --output-directory "$work/man" > /dev/null
mkdir -p "$root/usr/share/man/man1"
for page in "$work/man"/*.1; do
    name=$(basename "$page" .1)
    awk -f "$here/man-names.awk" "$page" | gzip -9n > "$root/usr/share/man/man1/${name//./-}.1.gz"
done

# Completions where bash-completion, zsh and fish look for a package's own. A completion file is sourced,
# not run: its #! line goes (lintian: bash-completion-with-hashbang).
mkdir -p "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" \
    "$root/usr/share/fish/vendor_completions.d"
"$firpipe" --generate-completion-script bash | sed '1{/^#!/d}' \
    > "$root/usr/share/bash-completion/completions/firpipe"
"$firpipe" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_firpipe"
"$firpipe" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/firpipe.fish"

# The example configs, kernels and audio; their generator scripts are examples to read, not to run here.
doc=$root/usr/share/doc/firpipe
mkdir -p "$doc"
cp -R "$repo/Config" "$doc/examples"
install -m644 "$here/copyright" "$doc/copyright"
gzip -9n < "$here/changelog" > "$doc/changelog.gz"
install -d "$root/etc/firpipe"

find "$root" -type d -exec chmod 755 {} +
find "$root" -type f ! -path "$root/usr/bin/*" -exec chmod 644 {} +

# Depends from what the binary links: dpkg-shlibdeps maps each NEEDED library to its package and the
# version its symbols need. It wants a debian/control beside it, so it runs in a scratch source tree.
# The libraries loaded at first use (dlopen: libsoxr, alsa-lib, libjack) are not NEEDED; control.in
# names them (Depends on libsoxr0, Recommends the sound-card ones).
printf 'Source: firpipe\n\nPackage: firpipe\nArchitecture: any\n' > "$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O -e"$firpipe" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
if [ -z "$depends" ]; then
    echo "build-deb: dpkg-shlibdeps found no dependencies for $firpipe" >&2
    exit 1
fi

# Packed relative relocations (the Makefile's LINK_FLAGS) need the loader of glibc 2.36. The binary asks
# for it by a version no symbol carries (GLIBC_ABI_DT_RELR), which dpkg-shlibdeps does not count.
if readelf -V -W "$firpipe" | grep -c 'GLIBC_ABI_DT_RELR' > /dev/null; then
    libc=$(grep -o 'libc6 (>= [^)]*)' <<< "$depends" | sed 's/libc6 (>= \(.*\))/\1/' || true)
    if [ -z "$libc" ]; then
        depends="libc6 (>= 2.36), $depends"
    elif dpkg --compare-versions "$libc" lt 2.36; then
        depends=${depends/"libc6 (>= $libc)"/"libc6 (>= 2.36)"}
    fi
fi

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# Shell substitution, not sed: Depends holds alternatives ("libjack-jackd2-0 (>= …) | libjack-0.125").
control=$(cat "$here/control.in")
control=${control//@VERSION@/$version}
control=${control//@ARCH@/$arch}
control=${control//@SIZE@/$size}
printf '%s\n' "${control//@DEPENDS@/$depends}" > "$root/DEBIAN/control"
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' md5sum) \
    > "$root/DEBIAN/md5sums"
chmod 644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

deb=$work/firpipe_${version}_${arch}.deb
dpkg-deb --root-owner-group --build "$root" "$deb" > /dev/null
echo "$deb"
