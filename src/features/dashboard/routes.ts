import express, { type RequestHandler, type Router } from 'express';
import { isMonth, monthLabel, monthOf } from '../../money/dates.js';
import type { DashboardService } from './service.js';

export { monthLabel };

/**
 * The signed-in home: coaching for the chosen month in one currency. Guarded at router level
 * (signed in, verified email, MFA when required), so routes added here later are guarded too.
 */
export function dashboardRoutes(deps: { member: RequestHandler[]; dashboard: DashboardService }): Router {
  const router = express.Router();
  router.use(...deps.member);

  router.get('/', async function showDashboard(req, res) {
    const m = req.member!;
    const month = typeof req.query.month === 'string' && isMonth(req.query.month) ? req.query.month : monthOf(m.today);
    const figures = await deps.dashboard.figures(m, month, req.query.currency);
    // The figures' markup is kept with them (views/pages/dashboard.ejs); "Coming up" is drawn per request.
    res.render('layout', { page: 'pages/dashboard', title: 'Dashboard', greetingName: m.displayName ?? req.user!.name, figures, upcoming: figures.upcoming, forecastWarnings: figures.forecastWarnings });
  });
  return router;
}
