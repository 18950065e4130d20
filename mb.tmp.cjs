const {fork}=require('child_process'); const fs=require('fs'); const autocannon=require('autocannon');
const child=fork(__dirname+'/mbsrv.tmp.cjs');
const cpu=()=>{const f=fs.readFileSync('/proc/'+child.pid+'/stat','utf8').split(') ')[1].split(' ');return (+f[11]+ +f[12])*10;};
child.on('message',async(port)=>{
  const url='http://127.0.0.1:'+port;
  const tok='eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImFiYyJ9.'+'x'.repeat(600)+'.'+'y'.repeat(342);
  const post=(p)=>({url:url+p,method:'POST',headers:{'content-type':'application/x-www-form-urlencoded',authorization:'Basic YmVuY2gtZ2F0ZXdheTpzZWNyZXRzZWNyZXRzZWNyZXRzZWNyZXQ='},body:'token='+tok});
  const get={url:url+'/x',headers:{authorization:'Bearer '+tok}};
  for(let k=0;k<2;k++) for (const [name,opts] of [['GET',get],['POST async',post('/x')],['POST sync',post('/sync')]]) {
    const c0=cpu();
    const r=await autocannon({...opts,connections:50,duration:4});
    const c1=cpu();
    console.log(name.padEnd(12), Math.round(r.requests.average),'req/s', ((c1-c0)/r.requests.total*1000).toFixed(1),'us cpu/req');
  }
  child.kill(); process.exit(0);
});
