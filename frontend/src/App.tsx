import { AppHeader } from './components/AppHeader';
import { HomePage } from './pages/HomePage';
import { SessionProvider } from './session/SessionProvider';

export function App() {
  return (
    <SessionProvider>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppHeader />
      <main id="main" className="app-main" tabIndex={-1}>
        <HomePage />
      </main>
    </SessionProvider>
  );
}
