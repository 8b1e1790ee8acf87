import{s as o}from"./index-CmeirVrj.js";import{c as r,f as i}from"./index-CK-Oqmt3.js";async function m(a=[]){const t=new Map;if(r("site.view"))try{const e=await o.list({limit:500,sort:"code"});for(const s of e.items)t.set(s.code,`${s.code} ${s.name}`)}catch{}const n=i.me?.sites;for(const e of[...n&&!n.all?n.sites??[]:[],...a])t.has(e)||t.set(e,e);return[...t.entries()].sort((e,s)=>e[0].localeCompare(s[0])).map(([e,s])=>({value:e,label:s}))}const p={reader:`# An RFID gate: outer antennas face outside, inner ones the stock room.
kind: reader
name: gate-1
address: 192.0.2.10:5084
antennas:
  - {port: 1, role: outer}
  - {port: 2, role: inner}
gate:
  bin: DOOR
`,scale:`# A bench scale on a serial port.
kind: scale
name: scale-1
protocol: mt-sics
port: /dev/ttyUSB0
baud: 9600
unit: kg
`,scanner:`# A barcode scanner as a USB keyboard at a receiving station.
kind: scanner
name: scanner-1
transport: usb-hid
vendor_id: "0x0c2e"
product_id: "0x0b61"
terminator: enter
station:
  bin: RCV-01
  reason: receive
`};function l(a,t){const n=new RegExp(`^${t}:\\s*(.*?)\\s*(?:#.*)?$`,"m").exec(a);return n?n[1].replace(/^["']|["']$/g,""):""}export{m as d,p,l as y};
