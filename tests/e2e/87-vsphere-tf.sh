#!/usr/bin/env bash
# shellcheck disable=SC2016  # HCL (${...}) in single quotes on purpose
# 87-vsphere-tf: the vSphere Terraform templates and tfvars icm writes into
# the state directory (src/provider/vsphere/tf.h), checked offline: the
# templates are formatted HCL (`terraform fmt -check` parses them), every
# tfvars file parses, no secret is written, and the values reach the
# templates' provider-free logic as written: the provider-free blocks
# (variables, locals that use no data source nor resource; extracted by
# tests/cloud/hcl-pure.py) are evaluated by `terraform console` with each
# directory's tfvars: the disks on their controllers and units, DiskPolicy,
# fixed IPs or DHCP, DNS, the resource pool's path, an escaped value.
#
# `terraform validate` cannot run: the hashicorp/vsphere provider is not in
# the offline mirror (/opt/tf-plugins) and cannot be fetched, and validate,
# like console on the whole templates, needs `terraform init`.  What needs
# the provider's schema (argument names, the data sources' attributes) is
# therefore not checked here; t-vsphere-tf checks the templates hold it.
#
# The files are written by tests/cloud/tf-write (make builds it beside
# icm).  Terraform never reaches the network: no provider is installed,
# checkpoints are off, and where unprivileged namespaces work every run is
# in a network namespace with no interfaces but loopback.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

tf_offline
export TF_VAR_VSpherePassword=not-the-secret

cd "$T" || exit 1

# A deployment of three DATA nodes with fixed IPs on two controllers
# (Data on the second), thin disks, a datastore cluster, a pool of the
# cluster, secrets, and a Template that needs HCL escaping (quote,
# backslash, template sequences); a WS node with DHCP, a Docker disk on
# controller 1 and eagerZeroedThick disks.
mkdir cfg
cat >cfg/defaults.json <<'EOF'
{
  "Provider": "vSphere", "Label": "VS", "Tag": "TF",
  "Server": "127.0.0.1:8989", "Datacenter": "DC0",
  "ComputeCluster": "DC0_C0", "ResourcePool": "pool1",
  "DatastoreCluster": "DC0_POD0", "NetworkInterface": "VM Network",
  "VSphereUser": "administrator@vsphere.local", "VSphereCAFile": "/ca.pem",
  "VSpherePassword": "vc-s3cret-e2e", "ISCPassword": "isc-s3cret-e2e",
  "Template": "t\"pl\\ ${x} %{y}", "SSHUser": "u",
  "SSHPublicKey": "/k.pub", "SSHPrivateKey": "/k",
  "DNSServers": "10.0.0.2,10.0.0.3", "DNSSuffixes": "example.com",
  "Domain": "example.com", "DockerImage": "intersystems/iris:1"
}
EOF
cat >cfg/definitions.json <<'EOF'
[
  {"Role": "DATA", "Count": "3", "VCPU": "4", "Memory": "8192",
   "DiskPolicy": "thin", "SCSIControllerCount": "2",
   "DataVolumeSCSIController": "2", "DataVolumeSize": "20",
   "IPv4Addresses": "10.0.0.11, 10.0.0.12,10.0.0.13",
   "IPv4Netmask": "16", "IPv4Gateway": "10.0.0.1"},
  {"Role": "WS", "StartCount": "4", "DiskPolicy": "eagerZeroedThick",
   "DockerVolumeSize": "5", "DockerDeviceName": "sdg"}
]
EOF
printf '%s' 't"pl\ ${x} %{y}' >raw-template

"$TFW" cfg/defaults.json cfg/definitions.json state >out.txt 2>&1
is "tf-write" "$?" 0
[ -s out.txt ] && sed 's/^/#   /' out.txt

dirs="VS-TF VS-DATA-TF VS-WS-TF"
is "one directory for the deployment and one per definition" \
	"$(find state -mindepth 1 -maxdepth 1 -printf '%f ' | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"VS-DATA-TF VS-TF VS-WS-TF "
is "no secret in any file" "$(grep -rl s3cret-e2e state)" ""
has_line "the password is named as left out" \
	"$(cat state/VS-TF/terraform.tfvars)" \
	"# secret fields are never written here; left out: VSpherePassword"

# The templates formatted, the tfvars parsed, each directory's
# provider-free blocks with its tfvars in pure/<dir> (lib.sh).  The
# template's disks, which the data source would read, stand in as one
# (vcsim's template has one disk).
# shellcheck disable=SC2086  # $dirs: one word per directory
tf_check vsphere state $dirs
printf 'locals {\n  template_disk_count = 1\n}\n' >pure/VS-DATA-TF/stub.tf
cp pure/VS-DATA-TF/stub.tf pure/VS-WS-TF/stub.tf

is "deployment: name, the pool's path in the cluster, vCenter and its CA" \
	"$(tfc VS-TF '[local.deployment, local.pool_path, var.DatastoreCluster, var.NetworkInterface, var.Server, var.VSphereUser, var.VSphereCAFile, var.VSphereAllowUnverifiedSSL]')" \
	'["VS-TF","DC0_C0/Resources/pool1","DC0_POD0","VM Network","127.0.0.1:8989","administrator@vsphere.local","/ca.pem",false]'
is "an escaped value reaches terraform unchanged" \
	"$(tfc VS-TF '[sha256(var.Template)]')" \
	"[\"$(sha256sum <raw-template | cut -d' ' -f1)\"]"
is "DATA: 3 nodes named as ICM, 4 vCPU, 8192 MB, 2 controllers" \
	"$(tfc VS-DATA-TF '[var.InstanceCount, local.machines, var.VCPU, var.Memory, var.SCSIControllerCount, var.GuestID]')" \
	'[3,["VS-DATA-TF-0001","VS-DATA-TF-0002","VS-DATA-TF-0003"],4,8192,2,"other3xLinux64Guest"]'
is "DATA: Data on bus 1 unit 15, WIJ and journals on bus 0 after the template's disk" \
	"$(tfc VS-DATA-TF '[for d in local.disks : "${d.name}:${d.size}:${d.bus}:${d.unit}"]')" \
	'["Data:20:1:15","WIJ:10:0:1","Journal1:10:0:2","Journal2:10:0:3"]'
is "DATA: thin disks" \
	"$(tfc VS-DATA-TF '[local.thin_provisioned, local.eagerly_scrub]')" \
	'[true,false]'
is "DATA: a fixed IP per node, netmask, gateway, DNS" \
	"$(tfc VS-DATA-TF '[local.ipv4, var.IPv4Netmask, var.IPv4Gateway, local.dns_servers, local.dns_suffixes, var.Domain]')" \
	'[["10.0.0.11","10.0.0.12","10.0.0.13"],16,"10.0.0.1",["10.0.0.2","10.0.0.3"],["example.com"],"example.com"]'
is "DATA: the timeouts of icm-reference 5.5" \
	"$(tfc VS-DATA-TF '[var.WaitForGuestNetTimeout, var.ShutdownWaitTimeout, var.MigrateWaitTimeout, var.CloneTimeout, var.CustomizeTimeout]')" \
	'[5,3,10,30,10]'
is "WS: no IRIS disk, the Docker disk after the template's, eagerly scrubbed" \
	"$(tfc VS-WS-TF '[[for d in local.disks : "${d.name}:${d.size}:${d.bus}:${d.unit}"], local.thin_provisioned, local.eagerly_scrub]')" \
	'[["Docker:5:0:1"],false,true]'
is "WS: DHCP (no address), one node numbered from StartCount" \
	"$(tfc VS-WS-TF '[local.ipv4, local.machines]')" \
	'[[],["VS-WS-TF-0004"]]'
[ -s pure/VS-WS-TF/console.err ] && sed 's/^/#   /' pure/VS-WS-TF/console.err

plan "$_n"
done_testing
