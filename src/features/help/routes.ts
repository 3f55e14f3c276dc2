import express, { type Router } from 'express';

/** /help: the keyboard shortcuts and where each everyday job lives. Public: it holds no data. */
export function helpRoutes(): Router {
  const router = express.Router();
  router.get('/', function helpPage(_req, res) {
    res.render('layout', { page: 'help/index', title: 'Help' });
  });
  return router;
}
