"""arm_catalog.py: what the FAKE ARM (arm-fake.py) offers and how it judges a
VM's request against it: a small catalogue of marketplace images (publisher,
offer, sku, versions), of VM sizes (every location offers all of them, zones
1-3, unless a test restricts one), and Azure's rule for a Linux VM's admin
password.  NOT Azure's catalogue: a handful of real names so that requests
icm makes look like what Azure accepts, and others fail in ARM's words.
Imported by arm-fake.py (standard library only)."""
import re

# (publisher, offer, sku) -> (Hyper-V generation, versions)
IMAGES = {
    ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts"):
        ("V1", ["22.04.202311010", "22.04.202401120", "22.04.202402280"]),
    ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"):
        ("V2", ["22.04.202311010", "22.04.202401120", "22.04.202402280"]),
    ("Canonical", "ubuntu-24_04-lts", "server"):
        ("V2", ["24.04.202404230", "24.04.202405210"]),
    ("Canonical", "UbuntuServer", "18.04-LTS"):
        ("V1", ["18.04.202306070", "18.04.202401161"]),
    ("RedHat", "RHEL", "9-lvm"):
        ("V1", ["9.3.2023111017", "9.4.2024053113"]),
}

# name -> (vCPUs, memory GB, family, max data disks, resource disk MB)
SIZES = {
    "Standard_B1s": (1, 1, "standardBSFamily", 2, 4096),
    "Standard_B2s": (2, 4, "standardBSFamily", 4, 8192),
    "Standard_B2ms": (2, 8, "standardBSFamily", 4, 16384),
    "Standard_DS1_v2": (1, 3.5, "standardDSv2Family", 4, 7168),
    "Standard_DS2_v2": (2, 7, "standardDSv2Family", 8, 14336),
    "Standard_DS3_v2": (4, 14, "standardDSv2Family", 16, 28672),
    "Standard_D2s_v3": (2, 8, "standardDSv3Family", 4, 16384),
    "Standard_D4s_v3": (4, 16, "standardDSv3Family", 8, 32768),
    "Standard_D8s_v3": (8, 32, "standardDSv3Family", 16, 65536),
    "Standard_D2s_v5": (2, 8, "standardDSv5Family", 4, 0),
    "Standard_D4s_v5": (4, 16, "standardDSv5Family", 8, 0),
    "Standard_E4s_v3": (4, 32, "standardESv3Family", 8, 65536),
    "Standard_F2s_v2": (2, 4, "standardFSv2Family", 4, 16384),
}
# the locations a skus list without $filter covers
LOCATIONS = ["eastus", "eastus2", "westus2", "centralus", "northeurope", "westeurope",
             "uksouth", "southeastasia"]

IMAGE_NOT_FOUND = "Artifact: VMImage was not found."
PASSWORD_RULE = ("The supplied password must be between 6-72 characters long and must "
                 "satisfy at least 3 of password complexity requirements from the "
                 "following:\r\n1) Contains an uppercase character\r\n2) Contains a "
                 "lowercase character\r\n3) Contains a numeric digit\r\n4) Contains a "
                 "special character\r\n5) Control characters are not allowed")


def norm_loc(loc):
    """ARM's location name: 'East US' and 'eastus' are the same."""
    return str(loc).replace(" ", "").lower()


def version_key(v):
    """Sort key of a version name: its dotted numbers (text when not numbers)."""
    return [(0, int(x), "") if x.isdigit() else (1, 0, x) for x in v.split(".")]


def find_image(pub, offer, sku):
    """(canonical key, (generation, versions)) of an image, case-insensitive,
    or None."""
    want = (pub.lower(), offer.lower(), sku.lower())
    for k, v in IMAGES.items():
        if tuple(x.lower() for x in k) == want:
            return k, v
    return None


def image_id(sub, loc, key, version=None):
    """An image's id as ARM spells it (capitalised segments)."""
    pub, offer, sku = key
    i = (f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{loc}/Publishers/"
         f"{pub}/ArtifactTypes/VMImage/Offers/{offer}")
    if sku is not None:
        i += f"/Skus/{sku}"
    if version is not None:
        i += f"/Versions/{version}"
    return i


def image_version(sub, loc, key, gen, version):
    """GET .../versions/{version}: one version with its properties."""
    return {"location": loc, "name": version, "id": image_id(sub, loc, key, version),
            "properties": {"hyperVGeneration": gen, "architecture": "x64",
                           "replicaType": "Managed",
                           "disallowed": {"vmDiskType": "Unmanaged"},
                           "automaticOSUpgradeProperties": {
                               "automaticOSUpgradeSupported": False},
                           "imageDeprecationStatus": {"imageState": "Active"},
                           "osDiskImage": {"operatingSystem": "Linux",
                                           "sizeInBytes": 32213303808},
                           "dataDiskImages": []}}


def platform_image_ok(ref):
    """Whether an imageReference {publisher, offer, sku, version} names a
    catalogue image ("latest", or no version, is any version)."""
    found = find_image(str(ref.get("publisher", "")), str(ref.get("offer", "")),
                       str(ref.get("sku", "")))
    if found is None:
        return False
    v = str(ref.get("version") or "latest")
    return v.lower() == "latest" or v in found[1][1]


def size_sku(name, loc, restricted):
    """One resourceSkus entry of a VM size in a location."""
    cpu, mem, fam, disks, res = SIZES[name]
    o = {"resourceType": "virtualMachines", "name": name, "tier": "Standard",
         "size": name.split("_", 1)[1], "family": fam, "locations": [loc],
         "locationInfo": [{"location": loc, "zones": ["1", "2", "3"], "zoneDetails": []}],
         "capabilities": [{"name": "MaxResourceVolumeMB", "value": str(res)},
                          {"name": "vCPUs", "value": str(cpu)},
                          {"name": "MemoryGB", "value": str(mem)},
                          {"name": "MaxDataDiskCount", "value": str(disks)},
                          {"name": "PremiumIO", "value": "True"},
                          {"name": "HyperVGenerations", "value": "V1,V2"}],
         "restrictions": []}
    if restricted:
        o["restrictions"].append({"type": "Location", "values": [loc],
                                  "restrictionInfo": {"locations": [loc]},
                                  "reasonCode": "NotAvailableForSubscription"})
    return o


def vm_size(name):
    """One .../locations/{loc}/vmSizes entry."""
    cpu, mem, _, disks, res = SIZES[name]
    return {"name": name, "numberOfCores": cpu, "osDiskSizeInMB": 1047552,
            "resourceDiskSizeInMB": res, "memoryInMB": int(mem * 1024),
            "maxDataDiskCount": disks}


def size_known(name):
    """The catalogue's spelling of a VM size (ARM matches it case-insensitively),
    or None."""
    for k in SIZES:
        if k.lower() == str(name).lower():
            return k
    return None


def password_ok(pw):
    """Azure's rule for a Linux VM's adminPassword: 6-72 characters, no control
    characters, at least 3 of lower case, upper case, digit, special."""
    if not isinstance(pw, str) or not 6 <= len(pw) <= 72:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in pw):
        return False
    kinds = [re.search(r"[a-z]", pw), re.search(r"[A-Z]", pw), re.search(r"[0-9]", pw),
             re.search(r"[^A-Za-z0-9]", pw)]
    return sum(1 for k in kinds if k) >= 3


def location_filter(flt):
    """The location of $filter=location eq 'x', or None when no $filter;
    raises ValueError for another filter."""
    if flt is None:
        return None
    m = re.fullmatch(r"\s*location\s+eq\s+'([^']*)'\s*", flt)
    if not m:
        raise ValueError(flt)
    return norm_loc(m.group(1))
