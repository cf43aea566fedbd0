// s3rver in its own process for the cloud benchmark (the benchmark blocks on child commands):
// prints its port on stdout, serves until killed.
import S3rver from 's3rver';

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: process.argv[2],
});
const { port } = await server.run();
process.stdout.write(`${port}\n`);
