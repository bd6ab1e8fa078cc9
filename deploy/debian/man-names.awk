# Renames a subcommand's page from argument-parser's "firpipe.process" to Debian's "firpipe-process" (as
# git-commit(1)), so man-db's whatis parser reads its NAME section: it fails on the quoted two-word name.
# The synopsis keeps the command as typed, "firpipe process". Used by build-deb.sh on each generated page.
/^\.Sh NAME$/ { print; in_name = 1; next }
in_name && /^\.Nm "/ {
    name = substr($0, 5)
    dashed = name
    gsub(/"/, "", dashed)
    gsub(/ /, "-", dashed)
    print ".Nm " dashed
    in_name = 0
    next
}
/^\.Nm$/ && name != "" { print ".Nm " name; next }
/^\.Dt / { gsub(/\./, "-", $2) }
/^\.Xr / { gsub(/\./, "-", $2) }
{ print }
