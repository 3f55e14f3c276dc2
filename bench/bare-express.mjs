// The reference for the benchmark: a bare Express 5 "hello" app on the same machine.
import express from 'express';

const app = express();
app.get('/', (_req, res) => res.send('hello'));
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
