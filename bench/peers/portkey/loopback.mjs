// Preloaded by run.sh (node --import): every server this process opens listens on 127.0.0.1 only.
// Portkey's start-server calls listen(port, undefined, callback) with no host option of its own,
// which Node takes as every interface.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && args[0].host === undefined && args[0].path === undefined) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  } else if (typeof args[0] === 'number' || typeof args[0] === 'string' && /^\d+$/.test(args[0])) {
    if (args[1] === undefined || args[1] === null) {
      args[1] = '127.0.0.1';
    } else if (typeof args[1] === 'function') {
      args.splice(1, 0, '127.0.0.1');
    }
  }
  return listen.apply(this, args);
};
