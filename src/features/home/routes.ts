import express, { type Router } from 'express';

/** The public front page: what the app is, and the way in. */
export function homeRoutes(): Router {
  const router = express.Router();
  router.get('/', function homePage(_req, res) {
    res.render('layout', { page: 'pages/home', title: 'Personal Finance Coach' });
  });
  return router;
}
