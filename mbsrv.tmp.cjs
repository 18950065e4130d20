const http=require('http');
const body=JSON.stringify({active:true,token_type:'Bearer',scope:'',client_id:null,sub:'4f1c5a3e-1111-2222-3333-444455556666',exp:1764300000,iat:1764299100,iss:'http://sessionary.bench',aud:'sessionary',username:'user1@example.com',sid:'4f1c5a3e-1111-2222-3333-444455556667'});
const srv=http.createServer((req,res)=>{
  const send=()=>{res.writeHead(200,['Content-Type','application/json','Content-Length',String(Buffer.byteLength(body))]);res.end(body);};
  if(req.method==='GET'){ send(); return;}
  if(req.url==='/sync'){ req.on('data',()=>{}); send(); return; }
  const chunks=[];req.on('data',c=>chunks.push(c));req.on('end',()=>{ Promise.resolve().then(send);});
});
srv.listen(0,'127.0.0.1',()=>process.send(srv.address().port));
