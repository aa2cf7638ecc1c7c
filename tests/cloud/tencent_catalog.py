"""tencent_catalog.py: what the FAKE Tencent Cloud API (tencent-fake.py)
offers, a small imitation of Tencent Cloud's regions, zones, public images
and CVM instance types, from Tencent's API reference (DescribeZones,
DescribeImages, DescribeZoneInstanceConfigInfos) -- not Tencent's real
catalogue."""

# region -> [(zone, zone id, zone name)]
REGIONS = {
    "ap-guangzhou": [("ap-guangzhou-3", "100003", "Guangzhou Zone 3"),
                     ("ap-guangzhou-4", "100004", "Guangzhou Zone 4"),
                     ("ap-guangzhou-6", "100006", "Guangzhou Zone 6")],
    "ap-shanghai": [("ap-shanghai-2", "200002", "Shanghai Zone 2"),
                    ("ap-shanghai-4", "200004", "Shanghai Zone 4")],
    "ap-beijing": [("ap-beijing-6", "800006", "Beijing Zone 6"),
                   ("ap-beijing-7", "800007", "Beijing Zone 7")],
    "ap-singapore": [("ap-singapore-1", "900001", "Singapore Zone 1"),
                     ("ap-singapore-2", "900002", "Singapore Zone 2")],
    # the region and zones of icm's Tencent sample
    "na-siliconvalley": [("na-siliconvalley-1", "150001", "Silicon Valley Zone 1"),
                         ("na-siliconvalley-2", "150002", "Silicon Valley Zone 2")],
}

# public images, the same in every region: (ImageId, OsName, Platform,
# CreatedTime, Architecture, size GB)
IMAGES = [
    ("img-487zeit5", "Ubuntu Server 20.04 LTS 64bit", "Ubuntu", "2022-03-01T08:00:00Z", "x86_64", 20),
    ("img-22trbn9x", "Ubuntu Server 22.04 LTS 64bit", "Ubuntu", "2023-06-01T08:00:00Z", "x86_64", 20),
    ("img-1u6l2i9l", "Ubuntu Server 22.04 LTS 64bit", "Ubuntu", "2024-09-01T08:00:00Z", "x86_64", 20),
    ("img-mmytdhbn", "Ubuntu Server 24.04 LTS 64bit", "Ubuntu", "2025-01-10T08:00:00Z", "x86_64", 20),
    ("img-l8og963d", "CentOS 7.9 64bit", "CentOS", "2021-12-01T08:00:00Z", "x86_64", 20),
    ("img-9qrfy1xt", "Rocky Linux 9.2 64bit", "Rocky Linux", "2023-08-01T08:00:00Z", "x86_64", 20),
    ("img-eb30mz89", "TencentOS Server 3.1 (TK4)", "TencentOS", "2024-03-01T08:00:00Z", "x86_64", 20),
    ("img-hdt9xxkt", "Windows Server 2022 DataCenter 64bit", "Windows", "2023-02-01T08:00:00Z", "x86_64", 50),
]

# instance types: (InstanceType, InstanceFamily, TypeName, CPU, Memory GB)
TYPES = [
    ("S5.SMALL2", "S5", "Standard S5", 1, 2),
    ("S5.MEDIUM4", "S5", "Standard S5", 2, 4),
    ("S5.MEDIUM8", "S5", "Standard S5", 2, 8),
    ("S5.LARGE8", "S5", "Standard S5", 4, 8),
    ("S5.LARGE16", "S5", "Standard S5", 4, 16),
    ("S5.2XLARGE32", "S5", "Standard S5", 8, 32),
    ("S2.MEDIUM4", "S2", "Standard S2", 2, 4),
    ("S3.MEDIUM4", "S3", "Standard S3", 2, 4),
    ("S3.LARGE8", "S3", "Standard S3", 4, 8),
    ("SA2.MEDIUM4", "SA2", "Standard SA2", 2, 4),
    ("SA2.LARGE8", "SA2", "Standard SA2", 4, 8),
    ("M5.MEDIUM16", "M5", "Memory Optimized M5", 2, 16),
    ("M5.LARGE32", "M5", "Memory Optimized M5", 4, 32),
]

# zone -> types not offered there at all (the rest are offered)
NOT_OFFERED = {"ap-guangzhou-6": {"M5.MEDIUM16", "M5.LARGE32"},
               "ap-singapore-2": {"SA2.MEDIUM4", "SA2.LARGE8"}}

DISK_TYPES = ("CLOUD_BASIC", "CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_BSSD", "CLOUD_HSSD")
# (min, max) GB of a system disk and of a data disk
SYSTEM_DISK_GB = (20, 1024)
DATA_DISK_GB = (10, 32000)


def zones(region):
    """The zone names of REGION (empty for an unknown one)."""
    return [z[0] for z in REGIONS.get(region, [])]


def region_of_zone(zone):
    for r, zs in REGIONS.items():
        if zone in (z[0] for z in zs):
            return r
    return None


def image(image_id):
    for i in IMAGES:
        if i[0] == image_id:
            return i
    return None


def itype(name):
    for t in TYPES:
        if t[0] == name:
            return t
    return None


def offered(zone, name):
    return itype(name) is not None and name not in NOT_OFFERED.get(zone, set())
