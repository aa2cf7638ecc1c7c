#!/bin/sh
# /irisHealth.sh: Docker HEALTHCHECK of the stand-in IRIS image, as the real
# image's: healthy when qlist says running and the health field is ok.
# THIS IS A TEST STAND-IN FOR THE PROPRIETARY INTERSYSTEMS IRIS ENGINE;
# it implements only what icm calls and records.
q=$(/usr/irissys/bin/iris qlist IRIS) || exit 1
w=$(echo "$q" | cut -d^ -f4); h=$(echo "$q" | cut -d^ -f9)
case $w in running,*) [ "$h" = ok ] ;; *) exit 1 ;; esac
