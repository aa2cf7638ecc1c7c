// vcprops: reads virtual machines from a vCenter (vcsim in the tests) with
// govmomi, independently of icm, and prints them for the tests to check.
//
//	vcprops [-url U] [-user U] [-password P] [-ca FILE] [-folder PATH] [-prefix P] [-names]
//
// The flags default to $VC_URL, $VC_USER, $VC_PASS and $VC_CA.  Without
// -names it prints a JSON array, one object per VM sorted by name (the shape
// is in ../README.md); with -names only the VM names, one a line.  -folder
// keeps the VMs whose inventory folder is PATH (e.g. /DC0/vm/Sample-TEST),
// -prefix those whose name starts with P.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Controller is one SCSI controller of a VM.
type Controller struct {
	Key       int32  `json:"key"`
	BusNumber int32  `json:"busNumber"`
	Type      string `json:"type"`
}

// Disk is one virtual disk of a VM.
type Disk struct {
	CapacityKB      int64  `json:"capacityKB"`
	ThinProvisioned bool   `json:"thinProvisioned"`
	EagerlyScrub    bool   `json:"eagerlyScrub"`
	ControllerBus   int32  `json:"controllerBus"`
	UnitNumber      int32  `json:"unitNumber"`
	Datastore       string `json:"datastore"`
}

// VM is what vcprops prints of a virtual machine.
type VM struct {
	Name         string            `json:"name"`
	Folder       string            `json:"folder"`
	NumCPU       int32             `json:"numCPU"`
	MemoryMB     int32             `json:"memoryMB"`
	GuestID      string            `json:"guestId"`
	PowerState   string            `json:"powerState"`
	IPAddress    string            `json:"ipAddress"`
	HostName     string            `json:"hostName"`
	Domain       string            `json:"domain"`
	Template     bool              `json:"template"`
	CustomValues map[string]string `json:"customValues"`
	Guestinfo    map[string]string `json:"guestinfo"`
	Controllers  []Controller      `json:"controllers"`
	Disks        []Disk            `json:"disks"`
}

func main() {
	u := flag.String("url", os.Getenv("VC_URL"), "SDK URL ($VC_URL)")
	user := flag.String("user", os.Getenv("VC_USER"), "user name ($VC_USER)")
	pass := flag.String("password", os.Getenv("VC_PASS"), "password ($VC_PASS)")
	ca := flag.String("ca", os.Getenv("VC_CA"), "CA certificate file to verify the server with ($VC_CA)")
	folder := flag.String("folder", "", "only the VMs in this inventory folder")
	prefix := flag.String("prefix", "", "only the VMs whose name starts with this")
	names := flag.Bool("names", false, "print only the VM names, one a line")
	destroy := flag.String("destroy", "", "power off and destroy the VM of this name (a deletion behind icm's back), print nothing")
	flag.Parse()
	if *u == "" || *user == "" || *ca == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: vcprops [-url U] [-user U] [-password P] [-ca FILE] [-folder PATH] [-prefix P] [-names]")
		os.Exit(2)
	}
	if *destroy != "" {
		if err := destroyVM(*u, *user, *pass, *ca, *destroy); err != nil {
			fmt.Fprintln(os.Stderr, "vcprops:", err)
			os.Exit(1)
		}
		return
	}
	vms, err := read(*u, *user, *pass, *ca, *folder, *prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vcprops:", err)
		os.Exit(1)
	}
	if *names {
		for _, vm := range vms {
			fmt.Println(vm.Name)
		}
		return
	}
	out, _ := json.MarshalIndent(vms, "", "  ")
	fmt.Println(string(out))
}

// destroyVM powers off (if on) and destroys the VM named name.
func destroyVM(rawurl, user, pass, ca, name string) error {
	ctx := context.Background()
	c, logout, err := login(ctx, rawurl, user, pass, ca)
	if err != nil {
		return err
	}
	defer logout()
	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return err
	}
	defer func() { _ = v.Destroy(ctx) }()
	var mos []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "runtime.powerState"}, &mos); err != nil {
		return err
	}
	for _, m := range mos {
		if m.Name != name {
			continue
		}
		vm := object.NewVirtualMachine(c, m.Self)
		if m.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			t, err := vm.PowerOff(ctx)
			if err == nil {
				err = t.Wait(ctx)
			}
			if err != nil {
				return err
			}
		}
		t, err := vm.Destroy(ctx)
		if err == nil {
			err = t.Wait(ctx)
		}
		return err
	}
	return fmt.Errorf("no VM named %s", name)
}

// login opens a session; logout ends it.
func login(ctx context.Context, rawurl, user, pass, ca string) (*vim25.Client, func(), error) {
	u, err := url.Parse(rawurl)
	if err != nil {
		return nil, nil, err
	}
	sc := soap.NewClient(u, false)
	if err := sc.SetRootCAs(ca); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", ca, err)
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, nil, err
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, url.UserPassword(user, pass)); err != nil {
		return nil, nil, err
	}
	return c, func() { _ = sm.Logout(ctx) }, nil
}

func read(rawurl, user, pass, ca, folder, prefix string) ([]VM, error) {
	ctx := context.Background()
	c, logout, err := login(ctx, rawurl, user, pass, ca)
	if err != nil {
		return nil, err
	}
	defer logout()

	fields, err := fieldNames(ctx, c)
	if err != nil {
		return nil, err
	}
	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, err
	}
	defer func() { _ = v.Destroy(ctx) }()
	var mos []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "parent", "config", "runtime.powerState", "guest", "customValue"}, &mos); err != nil {
		return nil, err
	}
	dsNames := map[types.ManagedObjectReference]string{}
	vms := []VM{}
	for i := range mos {
		m := &mos[i]
		if !strings.HasPrefix(m.Name, prefix) {
			continue
		}
		dir := ""
		if m.Parent != nil {
			if dir, err = find.InventoryPath(ctx, c, *m.Parent); err != nil {
				return nil, err
			}
		}
		if folder != "" && path.Clean(folder) != dir {
			continue
		}
		vm := VM{Name: m.Name, Folder: dir, PowerState: string(m.Runtime.PowerState),
			CustomValues: map[string]string{}, Guestinfo: map[string]string{},
			Controllers: []Controller{}, Disks: []Disk{}}
		for _, cv := range m.CustomValue {
			if s, ok := cv.(*types.CustomFieldStringValue); ok {
				vm.CustomValues[fields[s.Key]] = s.Value
			}
		}
		if g := m.Guest; g != nil {
			vm.IPAddress, vm.HostName = g.IpAddress, g.HostName
			if len(g.Net) > 0 && g.Net[0].DnsConfig != nil {
				vm.Domain = g.Net[0].DnsConfig.DomainName
			}
		}
		if cfg := m.Config; cfg != nil {
			vm.NumCPU, vm.MemoryMB, vm.GuestID, vm.Template = cfg.Hardware.NumCPU, cfg.Hardware.MemoryMB, cfg.GuestId, cfg.Template
			for _, o := range cfg.ExtraConfig {
				ov := o.GetOptionValue()
				if strings.HasPrefix(ov.Key, "guestinfo.icm.") {
					vm.Guestinfo[ov.Key] = fmt.Sprint(ov.Value)
				}
			}
			if err := devices(ctx, c, object.VirtualDeviceList(cfg.Hardware.Device), &vm, dsNames); err != nil {
				return nil, err
			}
		}
		vms = append(vms, vm)
	}
	sort.Slice(vms, func(i, j int) bool { return vms[i].Name < vms[j].Name })
	return vms, nil
}

// fieldNames maps the custom field keys to their names.
func fieldNames(ctx context.Context, c *vim25.Client) (map[int32]string, error) {
	names := map[int32]string{}
	m, err := object.GetCustomFieldsManager(c)
	if err != nil {
		return nil, err
	}
	defs, err := m.Field(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range defs {
		names[d.Key] = d.Name
	}
	return names, nil
}

// devices fills in vm's SCSI controllers and disks.
func devices(ctx context.Context, c *vim25.Client, list object.VirtualDeviceList, vm *VM, dsNames map[types.ManagedObjectReference]string) error {
	bus := map[int32]int32{}
	for _, d := range list.SelectByType((*types.VirtualSCSIController)(nil)) {
		sc := d.(types.BaseVirtualSCSIController).GetVirtualSCSIController()
		bus[sc.Key] = sc.BusNumber
		vm.Controllers = append(vm.Controllers, Controller{Key: sc.Key, BusNumber: sc.BusNumber,
			Type: reflect.TypeOf(d).Elem().Name()})
	}
	for _, d := range list.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		b, ok := bus[disk.ControllerKey]
		if !ok {
			b = -1
		}
		out := Disk{CapacityKB: disk.CapacityInKB, ControllerBus: b, UnitNumber: -1}
		if disk.UnitNumber != nil {
			out.UnitNumber = *disk.UnitNumber
		}
		if fb, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
			out.ThinProvisioned = fb.ThinProvisioned != nil && *fb.ThinProvisioned
			out.EagerlyScrub = fb.EagerlyScrub != nil && *fb.EagerlyScrub
			if fb.Datastore != nil {
				name, ok := dsNames[*fb.Datastore]
				if !ok {
					var ds mo.Datastore
					if err := property.DefaultCollector(c).RetrieveOne(ctx, *fb.Datastore, []string{"name"}, &ds); err != nil {
						return err
					}
					name = ds.Name
					dsNames[*fb.Datastore] = name
				}
				out.Datastore = name
			}
		}
		vm.Disks = append(vm.Disks, out)
	}
	return nil
}
