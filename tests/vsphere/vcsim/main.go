// vcsim: govmomi's vCenter simulator (patched by ../simulator.patch) with the
// inventory icm's vSphere tests use (see ../README.md): datacenter DC0,
// cluster DC0_C0, datastores LocalDS_0 and LocalDS_1 in the datastore cluster
// DC0_POD0 (Storage DRS on), the network "VM Network" and the template
// /DC0/vm/ubuntu-2204-template (one ParaVirtual SCSI controller, one disk,
// one NIC).  It serves https with the given certificate, accepts only the
// given user and password, writes its SDK URL to -url-file once listening,
// and on SIGTERM or SIGINT (or its parent's death, with -exit-with-parent)
// removes its temporary datastore directories and exits 0.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io/ioutil"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	podPath      = "/DC0/datastore/DC0_POD0"
	templateName = "ubuntu-2204-template"
	templateDisk = 16 << 20 // KB: 16 GiB
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	cert := flag.String("cert", "", "TLS certificate file (PEM; default: the simulator's own)")
	key := flag.String("key", "", "TLS key file of -cert (PEM)")
	user := flag.String("user", "administrator@vsphere.local", "the one user name that logs in")
	pass := flag.String("password", "", "that user's password (required)")
	free := flag.Int64("datastore-free", 10<<40, "summary.freeSpace of each datastore, in bytes")
	stock := flag.Bool("stock", false, "vcsim's own default VPX inventory (no pod, no template), as `vcsim` starts with; -datastore-free does not apply")
	urlFile := flag.String("url-file", "", "file to write the SDK URL into once listening")
	withParent := flag.Bool("exit-with-parent", false, "get SIGTERM when the parent process dies (Linux)")
	flag.Parse()
	if *pass == "" || (*cert == "") != (*key == "") || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: vcsim -password P [-listen A] [-user U] [-cert F -key F] [-datastore-free BYTES] [-url-file F]")
		os.Exit(2)
	}
	// Before anything: a SIGTERM from here on removes the temporary directories.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	if *withParent {
		// A test script killed before its EXIT trap runs leaves no simulator behind.
		_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
		if errno != 0 || os.Getppid() == 1 {
			fmt.Fprintln(os.Stderr, "vcsim: -exit-with-parent: no parent to follow")
			os.Exit(1)
		}
	}
	if err := run(sig, *listen, *cert, *key, *user, *pass, *free, *urlFile, *stock); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(1)
	}
}

func run(sig chan os.Signal, listen, cert, key, user, pass string, free int64, urlFile string, stock bool) error {
	model := simulator.VPX()
	if !stock {
		model.Datastore = 2
		model.Pod = 1
		model.Machine = 1
	}
	// Removes the temporary datastore directories (set up even when Create fails half way).
	defer model.Remove()
	if err := model.Create(); err != nil {
		return fmt.Errorf("creating the model: %v", err)
	}

	model.Service.TLS = new(tls.Config)
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return fmt.Errorf("loading %s and %s: %v", cert, key, err)
		}
		model.Service.TLS.Certificates = []tls.Certificate{pair}
	}
	model.Service.Listen = &url.URL{Host: listen, User: url.UserPassword(user, pass)}
	server := model.Service.NewServer()
	defer server.Close()

	if !stock {
		if err := setup(server.URL, free); err != nil {
			return fmt.Errorf("setting up the inventory: %v", err)
		}
	}

	sdk := url.URL{Scheme: server.URL.Scheme, Host: server.URL.Host, Path: server.URL.Path}
	if urlFile != "" {
		tmp := urlFile + ".tmp"
		if err := ioutil.WriteFile(tmp, []byte(sdk.String()+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Clean(urlFile)); err != nil {
			return err
		}
	}
	fmt.Println(sdk.String())

	<-sig
	return nil
}

// setup moves the datastores into the pod (Storage DRS on), creates the
// template, through the simulator's own API, and sets the datastores' free
// space.
func setup(u *url.URL, free int64) error {
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, u, true)
	if err != nil {
		return err
	}
	defer func() { _ = c.Logout(ctx) }()
	finder := find.NewFinder(c.Client, true)
	dc, err := finder.Datacenter(ctx, "DC0")
	if err != nil {
		return err
	}
	finder.SetDatacenter(dc)

	dss, err := finder.DatastoreList(ctx, "*")
	if err != nil {
		return err
	}
	pod, err := finder.DatastoreCluster(ctx, podPath)
	if err != nil {
		return err
	}
	var refs []types.ManagedObjectReference
	for _, ds := range dss {
		refs = append(refs, ds.Reference())
	}
	if err := wait(ctx, pod.MoveInto, refs); err != nil {
		return fmt.Errorf("moving the datastores into %s: %v", podPath, err)
	}
	srm := object.NewStorageResourceManager(c.Client)
	task, err := srm.ConfigureStorageDrsForPod(ctx, pod, types.StorageDrsConfigSpec{
		PodConfigSpec: &types.StorageDrsPodConfigSpec{Enabled: types.NewBool(true)},
	}, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		return fmt.Errorf("enabling Storage DRS on %s: %v", podPath, err)
	}
	// The template first: its disk must not count against -datastore-free.
	if err := createTemplate(ctx, finder, dss[0]); err != nil {
		return err
	}
	setFree(pod.Reference(), refs, free)
	return nil
}

func wait(ctx context.Context, f func(context.Context, []types.ManagedObjectReference) (*object.Task, error), refs []types.ManagedObjectReference) error {
	task, err := f(ctx, refs)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// setFree sets each datastore's free space (capacity at least that) and the
// pod's summary to their sums, in the simulator's object map.
func setFree(pod types.ManagedObjectReference, dss []types.ManagedObjectReference, free int64) {
	var capSum, freeSum int64
	for _, ref := range dss {
		ds := simulator.Map.Get(ref).(*simulator.Datastore)
		simulator.Map.WithLock(ds, func() {
			ds.Summary.FreeSpace = free
			if ds.Summary.Capacity < free {
				ds.Summary.Capacity = free
			}
			ds.Info.GetDatastoreInfo().FreeSpace = free
			capSum += ds.Summary.Capacity
			freeSum += free
		})
	}
	p := simulator.Map.Get(pod).(*simulator.StoragePod)
	simulator.Map.WithLock(p, func() {
		p.Summary = &types.StoragePodSummary{Name: p.Name, Capacity: capSum, FreeSpace: freeSum}
	})
}

// createTemplate makes /DC0/vm/ubuntu-2204-template on host DC0_C0_H0 in
// DC0_C0's pool, with its files on ds, and marks it as a template.
func createTemplate(ctx context.Context, finder *find.Finder, ds *object.Datastore) error {
	vmFolder, err := finder.DefaultFolder(ctx)
	if err != nil {
		return err
	}
	pool, err := finder.ResourcePool(ctx, "/DC0/host/DC0_C0/Resources")
	if err != nil {
		return err
	}
	host, err := finder.HostSystem(ctx, "/DC0/host/DC0_C0/DC0_C0_H0")
	if err != nil {
		return err
	}
	network, err := finder.Network(ctx, "VM Network")
	if err != nil {
		return err
	}
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return err
	}
	devices = append(devices, scsi)
	disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.Reference(), "")
	disk.CapacityInKB = templateDisk
	disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ThinProvisioned = types.NewBool(true)
	devices = append(devices, disk)
	backing, err := network.EthernetCardBackingInfo(ctx)
	if err != nil {
		return err
	}
	nic, err := devices.CreateEthernetCard("vmxnet3", backing)
	if err != nil {
		return err
	}
	devices = append(devices, nic)
	change, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return err
	}
	for _, c := range change {
		if _, ok := c.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
			c.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
	}
	spec := types.VirtualMachineConfigSpec{
		Name:         templateName,
		GuestId:      string(types.VirtualMachineGuestOsIdentifierUbuntu64Guest),
		NumCPUs:      1,
		MemoryMB:     1024,
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[%s]", ds.Name())},
		DeviceChange: change,
	}
	task, err := vmFolder.CreateVM(ctx, spec, pool, host)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating %s: %v", templateName, err)
	}
	vm := object.NewVirtualMachine(vmFolder.Client(), info.Result.(types.ManagedObjectReference))
	if err := vm.MarkAsTemplate(ctx); err != nil {
		return fmt.Errorf("marking %s as a template: %v", templateName, err)
	}
	return nil
}
