# Makes firpipe.service from the template firpipe@.service (`make units`): the template is the one
# place a sandbox setting is changed; a test keeps firpipe.service equal to this script's output.
1c\
# firpipe as a service, for a single config: /etc/firpipe/firpipe.yaml. For several, use firpipe@.service.
s/(systemctl edit firpipe@room)/(systemctl edit firpipe)/
s/^Description=firpipe FIR filter daemon (%i)$/Description=firpipe FIR filter daemon/
s/%i/firpipe/g
