// tc3-sdk.mjs: the official Tencent Cloud npm SDK's TC3-HMAC-SHA256, for
// tests/e2e/98-tc3-sdk.sh (which compares it with icm's, tests/cloud/tc3-sign).
//
//   node tc3-sdk.mjs NODE_MODULES sign < LINES
//     LINES as tc3-sign prints them (name service host timestamp body
//     authorization, tab-separated): for each, the SDK's Sign.sign3 over
//     the same body bytes, host, service and time, with the Content-Type
//     icm sends; prints "name<TAB>authorization<TAB>same-json", same-json
//     "yes" when the SDK's own JSON of the parsed body is the same bytes
//     (so the SDK client would have sent and signed what icm sends).
//   node tc3-sdk.mjs NODE_MODULES client
//     the SDK's CVM client calls DescribeInstances at
//     cvm.tencentcloudapi.com, its connection redirected to a server on
//     127.0.0.1 here (nothing leaves this machine), with Content-Type
//     "application/json; charset=utf-8" in its profile; prints what the
//     server received: "host<TAB>timestamp<TAB>content-type<TAB>body<TAB>
//     authorization".
// NODE_MODULES holds tencentcloud-sdk-nodejs (the whole SDK) or
// tencentcloud-sdk-nodejs-cvm (with tencentcloud-sdk-nodejs-common).
// Exits 1 with a line on stderr on any failure.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const SID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
const SKEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const CT = "application/json; charset=utf-8";

function fail(msg) {
  process.stderr.write(`tc3-sdk: ${msg}\n`);
  process.exit(1);
}

const [nm, mode] = process.argv.slice(2);
if (!nm || !["sign", "client"].includes(mode))
  fail("usage: node tc3-sdk.mjs NODE_MODULES sign|client");
const req = createRequire(path.join(path.resolve(nm), "x.js"));

// The SDK's common directory and its CVM client class.
function sdk() {
  const whole = path.join(nm, "tencentcloud-sdk-nodejs");
  if (existsSync(path.join(whole, "package.json")))
    return {
      common: path.join(whole, "tencentcloud", "common"),
      Cvm: () => req("tencentcloud-sdk-nodejs").cvm.v20170312.Client,
    };
  const common = path.join(nm, "tencentcloud-sdk-nodejs-common");
  if (existsSync(path.join(common, "package.json")))
    return {
      common: path.join(common, "tencentcloud", "common"),
      Cvm: () => req("tencentcloud-sdk-nodejs-cvm").cvm.v20170312.Client,
    };
  fail(`no tencentcloud-sdk-nodejs(-common) in ${nm}`);
}

const S = sdk();

function sign() {
  const Sign = req(path.join(S.common, "sign.js")).default;
  const JSONbig = req("json-bigint")({ useNativeBigInt: true });
  const out = [];
  for (const l of readFileSync(0, "utf8").split("\n")) {
    if (!l) continue;
    const f = l.split("\t");
    if (f.length !== 6) fail(`not a tc3-sign line: ${l.slice(0, 80)}`);
    const [name, service, host, ts, body] = f;
    const auth = Sign.sign3({
      method: "POST",
      url: `https://${host}/`,
      payload: Buffer.from(body, "utf8"),
      timestamp: Number(ts),
      service,
      secretId: SID,
      secretKey: SKEY,
      multipart: false,
      headers: { "Content-Type": CT },
    });
    let same = "no";
    try {
      same = JSONbig.stringify(JSONbig.parse(body)) === body ? "yes" : "no";
    } catch (e) {
      same = "no";
    }
    out.push(`${name}\t${auth}\t${same}`);
  }
  process.stdout.write(out.join("\n") + "\n");
}

async function client() {
  let got;
  const server = http.createServer((rq, rs) => {
    const chunks = [];
    rq.on("data", (c) => chunks.push(c));
    rq.on("end", () => {
      got = [rq.headers.host, rq.headers["x-tc-timestamp"],
             rq.headers["content-type"], Buffer.concat(chunks).toString("utf8"),
             rq.headers.authorization];
      rs.setHeader("Content-Type", "application/json");
      rs.end(JSON.stringify({ Response: { TotalCount: 0, InstanceSet: [],
                                          RequestId: "tc3-sdk-1" } }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;
  // the real host name, the connection to this machine
  const agent = new http.Agent({
    lookup: (h, o, cb) => (o && o.all ? cb(null, [{ address: "127.0.0.1", family: 4 }])
                                      : cb(null, "127.0.0.1", 4)),
  });
  const Cvm = S.Cvm();
  const c = new Cvm({
    credential: { secretId: SID, secretKey: SKEY },
    region: "ap-guangzhou",
    profile: { httpProfile: { protocol: "http://",
                              endpoint: `cvm.tencentcloudapi.com:${port}`,
                              agent, headers: { "Content-Type": CT } } },
  });
  try {
    await c.DescribeInstances({ Limit: 100, Offset: 0,
      Filters: [{ Name: "tag:ICM", Values: ["Label-Tag", "caf\u00e9 \u2713"] }] });
  } catch (e) {
    server.close();
    fail(`the SDK's DescribeInstances failed: ${e.message}`);
  }
  server.close();
  if (!got) fail("the server received nothing");
  process.stdout.write(got.join("\t") + "\n");
}

if (mode === "sign") sign();
else await client();
