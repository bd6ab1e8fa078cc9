# Makes firpipe-device@.service from the template firpipe@.service (`make units`): the same sandbox,
# with only what a sound card needs relaxed; a test keeps firpipe-device@.service equal to this output.
1,3c\
# firpipe on sound cards (serve.stream.backend: alsa), one instance per config: firpipe-device@room.service\
# runs /etc/firpipe/room.yaml. The same sandbox as firpipe@.service but for two relaxations, marked\
# "Devices:" below. For JACK add the drop-in firpipe-device@.service.d/jack.conf. README.md, "On a sound\
# card", says how to install them.
s/^Description=firpipe FIR filter daemon (%i)$/Description=firpipe FIR filter daemon on sound devices (%i)/
s/^After=local-fs.target$/After=local-fs.target sound.target/
/^Group=firpipe$/a\
# Devices: /dev/snd/* belong to group audio (mode 0660).\
SupplementaryGroups=audio
/^PrivateDevices=yes$/c\
# Devices: PrivateDevices=yes would hide /dev/snd; the device policy still allows no other device\
# than the pseudo-devices (/dev/null, /dev/zero, /dev/urandom, …) and the ALSA character devices.\
PrivateDevices=no
/^DevicePolicy=closed$/a\
DeviceAllow=char-alsa rw
/^PrivateUsers=yes$/c\
# Devices: in a private user namespace the audio group is not mapped (it shows as nogroup; systemd\
# issue 41994), so access through it would depend on when systemd sets the groups: not relied on.\
PrivateUsers=no
